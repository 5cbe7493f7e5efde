import { fileURLToPath } from 'node:url';
import { kluisProject } from '../../vitest.shared.ts';

// The tests run against a real S3 server: the global setup starts Ceph radosgw on 127.0.0.1
// (scripts/s3/start-radosgw.sh), or uses the one KLUIS_S3_ENDPOINT points at.
const config = kluisProject('transport-s3', {
  test: {
    globalSetup: [fileURLToPath(new URL('./test/global-setup.ts', import.meta.url))],
    // The test files share no state beyond the server; loading the SDK once per worker instead of
    // once per file saves seconds on a 2-core machine.
    isolate: false,
  },
});

// vitest hands the SSR conditions to Node as `--conditions`; under `module`, Node's `require` picks
// the AWS SDK's bundler-only builds (extensionless imports) and fails. Resolve like plain Node here.
const ssrResolve = config.ssr?.resolve;
if (ssrResolve?.conditions) ssrResolve.conditions = ssrResolve.conditions.filter((c) => c !== 'module');

export default config;
