// Crypto throughput of the two providers: HMAC-SHA-256, SHA-256 and XChaCha20-Poly1305 seal/open on
// 1 MiB calls, the scrypt calibration result, and the backup pipeline's CPU path (FastCDC cut
// points -> blob ID -> seal) over random data fed in 1 MiB pieces as a file reader would.
// MB/s = 10^6 bytes per second; each figure is the median of REPEAT timed runs.
//
// Run: npx tsx --conditions=@kluis/source packages/core/bench/crypto.ts [pipeline MiB] [repeat]
import { performance } from 'node:perf_hooks';
import {
  blobId,
  type CryptoProvider,
  calibrateScrypt,
  deriveSubkeys,
  portableCrypto,
  seal,
} from '@kluis/core/crypto';
import { keyedGearTable, loadChunker } from '@kluis/core/format';
import { nativeCrypto } from '@kluis/core/node';

const MIB = 1024 * 1024;
const pipelineSize = Number(process.argv[2] ?? 256) * MIB;
const repeat = Number(process.argv[3] ?? 3);
const providers = [nativeCrypto, portableCrypto];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function randomData(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) data.set(nativeCrypto.randomBytes(Math.min(65536, size - i)), i);
  return data;
}

/** Wall-clock and CPU-time MB/s, so a busy machine (other processes on the cores) shows as a gap. */
interface Speed {
  wall: number;
  cpu: number;
}

/** Runs `body`, which returns how many bytes it processed. */
function timed(body: () => number): Speed {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const bytes = body();
  const wall = (performance.now() - t0) / 1000;
  const { user, system } = process.cpuUsage(c0);
  return { wall: bytes / wall / 1e6, cpu: bytes / ((user + system) / 1e6) / 1e6 };
}

function report(speeds: Speed[]): string {
  const wall = median(speeds.map((s) => s.wall));
  const cpu = median(speeds.map((s) => s.cpu));
  const runs = speeds.map((s) => s.wall.toFixed(0)).join(', ');
  return `${wall.toFixed(0).padStart(5)} MB/s (per CPU-second ${cpu.toFixed(0)}; runs ${runs})`;
}

/** MB/s of `op` on `bytes` per call, each run at least `minMs` long (median of `repeat` runs). */
function throughput(bytes: number, op: () => void, minMs: number): string {
  op(); // warm-up
  const speeds: Speed[] = [];
  for (let r = 0; r < repeat; r++) {
    speeds.push(
      timed(() => {
        const t0 = performance.now();
        let calls = 0;
        while (performance.now() - t0 < minMs || calls < 3) {
          op();
          calls++;
        }
        return bytes * calls;
      }),
    );
  }
  return report(speeds);
}

function primitives(crypto: CryptoProvider): void {
  const data = randomData(MIB);
  const key = crypto.randomBytes(32);
  const nonce = crypto.randomBytes(24);
  const aad = new Uint8Array(51);
  const sealed = crypto.xchachaSeal(key, nonce, data, aad);
  const minMs = crypto.name === 'native' ? 1000 : 2000;
  const rows: [string, () => void][] = [
    ['HMAC-SHA-256', () => crypto.hmacSha256(key, data)],
    ['SHA-256', () => crypto.sha256(data)],
    ['XChaCha20-Poly1305 seal', () => crypto.xchachaSeal(key, nonce, data, aad)],
    ['seal() incl. nonce', () => seal(crypto, key, data, aad)],
    ['XChaCha20-Poly1305 open', () => crypto.xchachaOpen(key, nonce, sealed, aad)],
  ];
  for (const [name, op] of rows)
    console.log(`${crypto.name.padEnd(8)} ${name.padEnd(24)} 1 MiB: ${throughput(MIB, op, minMs)}`);
}

async function scrypt(crypto: CryptoProvider): Promise<void> {
  const params = await calibrateScrypt(crypto, { targetMs: 500 });
  const t0 = performance.now();
  await crypto.scrypt(new Uint8Array(16), crypto.randomBytes(32), params);
  const ms = performance.now() - t0;
  console.log(
    `${crypto.name.padEnd(8)} scrypt calibration (target 500 ms): N=2^${Math.log2(params.N)} r=${params.r} p=${params.p}, one run ${ms.toFixed(0)} ms`,
  );
}

async function pipeline(crypto: CryptoProvider, data: Uint8Array, avgSize: number): Promise<void> {
  const keys = deriveSubkeys(crypto, crypto.randomBytes(32));
  const options = { minSize: avgSize / 4, avgSize, maxSize: avgSize * 4, gear: keyedGearTable(keys.chunker) };
  const factory = await loadChunker();
  const prefix = new TextEncoder().encode('kluis/v1/blob/data/');
  const aad = new Uint8Array(prefix.length + 32);
  aad.set(prefix);
  const speeds: Speed[] = [];
  let chunks = 0;
  for (let r = 0; r < repeat; r++) {
    const chunker = factory.create(options);
    chunks = 0;
    const handle = (chunk: Uint8Array) => {
      aad.set(blobId(crypto, keys.id, chunk), prefix.length);
      seal(crypto, keys.encryption, chunk, aad);
      chunks++;
    };
    speeds.push(
      timed(() => {
        // Views lent by the chunker: ID and seal read the chunk in place, with no copy of it.
        for (let i = 0; i < data.length; i += MIB) chunker.pushViews(data.subarray(i, i + MIB), handle);
        chunker.finishViews(handle);
        return data.length;
      }),
    );
  }
  const mib = data.length / MIB;
  console.log(
    `${crypto.name.padEnd(8)} pipeline avg ${String(avgSize / 1024).padStart(4)} KiB, ${mib} MiB: ` +
      `${report(speeds)}; ${chunks} chunks`,
  );
}

for (const crypto of providers) primitives(crypto);
for (const crypto of providers) await scrypt(crypto);
const data = randomData(pipelineSize);
for (const crypto of providers) {
  for (const avgSize of [64 * 1024, MIB]) await pipeline(crypto, data, avgSize);
}
