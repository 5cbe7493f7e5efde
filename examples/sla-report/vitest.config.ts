import { kluisProject } from '../../vitest.shared.ts';

export default kluisProject('sla-report');
