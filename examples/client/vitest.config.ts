import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kluisProject } from '../../vitest.shared.ts';

// CLI processes that tests start keep their local cache in a temporary directory, not the user's.
export default kluisProject('client', {
  test: { env: { KLUIS_CACHE_DIR: join(tmpdir(), 'kluis-test-cache') } },
});
