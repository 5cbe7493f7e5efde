import { fileURLToPath } from 'node:url';
import { kluisProject } from '../../vitest.shared.ts';

// The server's tests again, each server on its own database in a throwaway PostgreSQL cluster
// (test/global-setup.ts starts it once per run with scripts/postgres/start-postgres.sh). The files
// listed run servers through test/_server.ts (which reads KLUIS_TEST_ENGINE); the store-level
// tests (accounts, lockout) run on both engines in the main project already.
const config = kluisProject('server-postgres', {
  test: {
    isolate: false,
    env: { KLUIS_TEST_ENGINE: 'postgres' },
    globalSetup: [fileURLToPath(new URL('./test/global-setup.ts', import.meta.url))],
    include: [
      'test/account-endpoint.test.ts',
      'test/account-policy.test.ts',
      'test/authenticator.test.ts',
      'test/authorisation.test.ts',
      'test/cli-e2e.test.ts',
      'test/client.test.ts',
      'test/endpoints.test.ts',
      'test/limits.test.ts',
      'test/log-events.test.ts',
      'test/login.test.ts',
      'test/maintenance.test.ts',
      'test/metrics-token.test.ts',
      'test/retention.test.ts',
      'test/tls.test.ts',
      'test/traversal.test.ts',
      'test/uploads.test.ts',
      // The provider's desk: its store, HTTP routes, commands and mail on PostgreSQL.
      'test/desk/capacity.test.ts',
      'test/desk/detection.test.ts',
      'test/desk/incidents.test.ts',
      'test/desk/mail.test.ts',
      'test/desk/maintenance.test.ts',
      'test/desk/web.browser.test.ts',
    ],
  },
});

const ssrResolve = config.ssr?.resolve;
if (ssrResolve?.conditions) ssrResolve.conditions = ssrResolve.conditions.filter((c) => c !== 'module');

export default config;
