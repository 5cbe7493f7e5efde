/**
 * Memory of the reference server under stalled uploads: starts `kluis-server serve` as its own
 * process, opens N uploads (default 20) that each declare a large body (default 128 MiB), send
 * 64 KiB and stall, and prints the server's resident memory (VmRSS) before and after, and how the
 * uploads were answered. One account per upload unless `--one-account`; `sent` (KiB, default 64)
 * is how much of each body is sent before the stall.
 *
 *   npx tsx --conditions=@kluis/source examples/server/bench/stalled-uploads.ts [uploads] [MiB] [sent] [--one-account] [--limits JSON]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hashPassword } from '../src/password.ts';
import { openStore } from '../src/store.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.indexOf(name);
const oneAccount = flag('--one-account') >= 0;
const limitsAt = flag('--limits');
const limits = limitsAt >= 0 ? JSON.parse(args[limitsAt + 1]!) : undefined;
const numbers = args.filter((a, i) => /^\d+$/.test(a) && (limitsAt < 0 || i !== limitsAt + 1));
const uploads = Number(numbers[0] ?? 20);
const declared = Number(numbers[1] ?? 128) * 2 ** 20;
const sent = Math.min(declared - 1, Number(numbers[2] ?? 64) * 1024);

const dir = mkdtempSync(join(tmpdir(), 'kluis-stall-'));
const password = 'stall-test-password';
const store = await openStore(join(dir, 'accounts.db'), Date.now);
const { accounts, grants } = store;
const hash = await hashPassword(password, { N: 1024, r: 8, p: 1 });
const names = Array.from({ length: oneAccount ? 1 : uploads }, (_, i) => `user${i}`);
for (const name of names) {
  await accounts.add(name, hash, { actor: 'bench' });
  await grants.grant({ account: name, role: 'backup', scope: name, by: 'bench' });
}
await store.close();
const config = {
  dataDir: dir,
  port: 0,
  maintenance: { mode: 'off' },
  scrypt: { N: 1024, r: 8, p: 1 },
  ...(limits ? { limits } : {}),
};
writeFileSync(join(dir, 'server.json'), JSON.stringify(config));

const cli = new URL('../src/cli.ts', import.meta.url).pathname;
const child = spawn(
  process.execPath,
  ['--conditions=@kluis/source', '--import', 'tsx', cli, 'serve', '--config', join(dir, 'server.json')],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
const url = await new Promise<URL>((resolve, reject) => {
  let text = '';
  child.stderr.on('data', (c: Buffer) => {
    text += c.toString();
    const m = /listening on (http:\/\/\S+)/.exec(text);
    if (m) resolve(new URL(m[1]!));
  });
  child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${text}`)));
});
const rssMiB = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return Math.round(Number(m![1]) / 1024);
};

await delay(1000);
const before = rssMiB();
const answers = new Map<string, number>();
const sockets: Socket[] = [];
const written: Promise<void>[] = [];
for (let i = 0; i < uploads; i++) {
  const user = names[oneAccount ? 0 : i]!;
  const id = createHash('sha256').update(`stall ${i}`).digest('hex');
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  const socket = connect(Number(url.port), url.hostname);
  sockets.push(socket);
  socket.on('error', () => {});
  socket.once('data', (c: Buffer) => {
    const status = c.toString('latin1').split(' ')[1] ?? '?';
    answers.set(status, (answers.get(status) ?? 0) + 1);
  });
  socket.write(
    `POST /${user}/r/data/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Length: ${declared}\r\n\r\n`,
  );
  written.push(new Promise((r) => socket.write(Buffer.alloc(sent, 1), () => r())));
}
// Refused uploads never drain; wait for the admitted ones, then let the server settle.
await Promise.race([Promise.all(written), delay(60_000)]);
await delay(2000);
const after = rssMiB();
const answered = [...answers].map(([k, v]) => `${v}×${k}`).join(', ') || 'none';
console.log(
  `${uploads} uploads declaring ${declared / 2 ** 20} MiB, stalled after ${Math.round(sent / 1024)} KiB (${oneAccount ? 'one account' : 'one account each'}): ` +
    `server RSS ${before} MiB before, ${after} MiB after; answered: ${answered}`,
);
for (const s of sockets) s.destroy();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dir, { recursive: true, force: true });
