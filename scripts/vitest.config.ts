import { kluisProject } from '../vitest.shared.ts';

export default kluisProject('scripts', { test: { include: ['test/**/*.test.ts'] } });
