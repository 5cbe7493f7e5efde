import { parseArgs } from 'node:util';
import { createApp } from './app.ts';
import { type CliIo, COMMON_OPTIONS, configOf } from './cli-io.ts';
import type { ServerConfig } from './config.ts';
import { listen } from './listen.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'insecure-http': { type: 'boolean' },
  'maintenance-mode': { type: 'string' },
  'alert-webhook': { type: 'string' },
} as const;

function applyFlags(
  config: ServerConfig,
  v: ReturnType<typeof parse>['values'],
  env: CliIo['env'],
): ServerConfig {
  const c = { ...config };
  if (v.host) c.host = v.host;
  if (v.port) c.port = Number(v.port);
  if (v['tls-cert'] || v['tls-key']) c.tls = { cert: v['tls-cert'] ?? '', key: v['tls-key'] ?? '' };
  if (v['insecure-http']) c.insecureHttp = true;
  const mode = v['maintenance-mode'];
  if (mode === 'unavailable' || mode === 'read-only' || mode === 'off')
    c.maintenance = { ...c.maintenance, mode };
  else if (mode !== undefined) throw new Error('--maintenance-mode must be unavailable, read-only or off');
  if (v['alert-webhook']) c.alertWebhook = v['alert-webhook'];
  if (env.KLUIS_METRICS_TOKEN) c.metricsToken = env.KLUIS_METRICS_TOKEN;
  return c;
}

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
}

/**
 * `serve`: runs the server until SIGINT or SIGTERM; SIGHUP reopens the access log (rotation).
 * Flags override the configuration file; the metrics token comes from `KLUIS_METRICS_TOKEN` so it
 * never shows in a process list.
 *
 * @example
 * ```ts
 * await serveCommand(['--config', 'server.json'], io);
 * ```
 */
export async function serveCommand(args: string[], io: CliIo): Promise<void> {
  const { values: v } = parse(args);
  const config = applyFlags(configOf(v, io.env), v, io.env);
  const log = (line: string) => io.err(`${new Date().toISOString()} ${line}\n`);
  const app = await createApp({ config, log });
  let server: Awaited<ReturnType<typeof listen>>;
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
