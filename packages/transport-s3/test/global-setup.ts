import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import type { S3TestServer } from './_server';

const run = promisify(execFile);
const scripts = fileURLToPath(new URL('../../../scripts/s3/', import.meta.url));

/**
 * Starts Ceph radosgw on 127.0.0.1 with scripts/s3/start-radosgw.sh (installing it on a fresh
 * Debian machine) unless KLUIS_S3_ENDPOINT names a running server, hands the endpoint and test
 * credentials to the tests, and stops the server afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  if (env.KLUIS_S3_ENDPOINT) {
    project.provide('s3', {
      endpoint: env.KLUIS_S3_ENDPOINT,
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'kluis-test-key',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'kluis-test-secret',
      region: env.AWS_REGION ?? 'us-east-1',
    });
    return async () => {};
  }
  const { stdout } = await run('bash', [`${scripts}start-radosgw.sh`], {
    env: { ...env, KLUIS_RGW_OWNER_PID: String(process.pid) },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`could not start radosgw for the transport-s3 tests:\n${e.stderr ?? e.message}`);
  });
  const vars = parseExports(stdout);
  const server: S3TestServer = {
    endpoint: required(vars, 'KLUIS_S3_ENDPOINT'),
    accessKeyId: required(vars, 'AWS_ACCESS_KEY_ID'),
    secretAccessKey: required(vars, 'AWS_SECRET_ACCESS_KEY'),
    region: required(vars, 'AWS_REGION'),
  };
  project.provide('s3', server);
  return async () => {
    await run('bash', [`${scripts}stop-radosgw.sh`, required(vars, 'KLUIS_RGW_DIR')]);
  };
}

function parseExports(stdout: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  return vars;
}

function required(vars: Map<string, string>, name: string): string {
  const value = vars.get(name);
  if (!value) throw new Error(`start-radosgw.sh printed no ${name}`);
  return value;
}
