import type { Args, Command } from './cli-admin.ts';
import { type CliIo, configOf } from './cli-io.ts';
import { flagValue, UsageError, withFileFlags } from './cli-usage.ts';
import { checkOrigin, type ServerConfig } from './config.ts';
import { redact } from './redact.ts';

const FLAGS = withFileFlags({
  host: { type: 'string', arg: 'HOST', help: 'address to listen on (default: 127.0.0.1)' },
  port: {
    type: 'string',
    short: 'p',
    arg: 'PORT',
    help: 'port to listen on, 0 for any free one (default: 8000)',
  },
  'tls-cert': { type: 'string', arg: 'FILE', help: 'PEM certificate chain: serve HTTPS (with --tls-key)' },
  'tls-key': { type: 'string', arg: 'FILE', help: 'PEM private key of the certificate' },
  'insecure-http': {
    type: 'boolean',
    help: 'allow plain HTTP on an address other than loopback (passwords travel in clear)',
  },
  'maintenance-mode': {
    type: 'string',
    arg: 'MODE',
    help: 'during maintenance windows: unavailable (503 for all), read-only (503 for changes) or off',
  },
  'alert-webhook': {
    type: 'string',
    arg: 'URL',
    help: 'POST security alerts (lockouts) as JSON to this URL',
  },
  'cors-origin': {
    type: 'string',
    multiple: true,
    arg: 'ORIGIN',
    help: 'let browser pages from this origin (https://host[:port]) call the server; repeat for more, * for any',
  },
});

function applyFlags(config: ServerConfig, v: Args['values'], env: CliIo['env']): ServerConfig {
  const c = { ...config };
  const s = (k: string) => v[k] as string | undefined;
  if (s('host')) c.host = s('host') as string;
  const port = s('port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
      throw new UsageError(`--port: expected a port number 0..65535, got ${JSON.stringify(port)}`, 'serve');
    c.port = Number(port);
  }
  if (s('tls-cert') || s('tls-key')) {
    if (!s('tls-cert') || !s('tls-key'))
      throw new UsageError('--tls-cert and --tls-key go together', 'serve');
    c.tls = { cert: s('tls-cert') as string, key: s('tls-key') as string };
  }
  if (v['insecure-http']) c.insecureHttp = true;
  const mode = s('maintenance-mode');
  if (mode === 'unavailable' || mode === 'read-only' || mode === 'off')
    c.maintenance = { ...c.maintenance, mode };
  else if (mode !== undefined)
    throw new UsageError(
      `--maintenance-mode must be unavailable, read-only or off, not ${JSON.stringify(mode)}`,
      'serve',
    );
  const webhook = s('alert-webhook');
  if (webhook !== undefined && !/^https?:\/\//.test(webhook))
    throw new UsageError('--alert-webhook: expected an http(s) URL', 'serve');
  if (webhook) c.alertWebhook = webhook;
  const origins = v['cors-origin'] as string[] | undefined;
  if (origins) {
    const checked = origins.map((o) => flagValue('serve', () => checkOrigin(o, '--cors-origin')));
    c.cors = { ...c.cors, origins: checked };
  }
  if (env.KLUIS_METRICS_TOKEN) c.metricsToken = env.KLUIS_METRICS_TOKEN;
  return c;
}

/**
 * `serve`: runs the server until SIGINT or SIGTERM; SIGHUP reopens the access log (rotation).
 * Flags override the configuration file; the metrics token comes from `KLUIS_METRICS_TOKEN` so it
 * never shows in a process list.
 */
async function serve({ values: v }: Args, io: CliIo): Promise<void> {
  // Flags and configuration are checked before createApp creates anything on disk; the server's
  // modules load only now, so help and usage errors answer quickly.
  const [{ createApp }, { listen }] = await Promise.all([import('./app.ts'), import('./listen.ts')]);
  const config = applyFlags(
    configOf({ config: v.config as string, data: v.data as string }, io.env),
    v,
    io.env,
  );
  const log = (line: string) => io.err(`${new Date().toISOString()} ${redact(line)}\n`);
  const app = await createApp({ config, log });
  let server: Awaited<ReturnType<typeof import('./listen.ts').listen>>;
  try {
    server = await listen(app, config);
  } catch (e) {
    await app.close();
    throw e;
  }
  log(
    `kluis-server listening on ${server.url} (storage ${app.storage.name}, access log ${config.accessLog})`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => {
      app.reopenLog();
      log('SIGHUP: access log reopened');
    });
  });
  await server.close();
  await app.close();
}

/** `serve`: the server itself. */
export const SERVE_COMMAND: Command = {
  spec: {
    name: 'serve',
    args: '',
    summary:
      'Runs the server until SIGINT or SIGTERM; SIGHUP reopens the access log. Flags override the ' +
      'configuration file; the metrics token is read from KLUIS_METRICS_TOKEN.',
    positionals: { min: 0, max: 0 },
    flags: FLAGS,
  },
  run: serve,
};
