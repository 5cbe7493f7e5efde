import { createHash, hkdfSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type ChunkerOptions,
  type GearTable,
  keyedGearTable,
  loadChunker,
  referenceChunker,
  standardGearTable,
} from '../src/format/index';
import { type VectorInput, vectorInput } from './chunker-input';
import vectors from './vectors/fastcdc-2020.json';
import gearVectors from './vectors/fastcdc-gear.json';
import published from './vectors/fastcdc-rs-published.json';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A gear table as 2048 big-endian bytes. */
function gearBytes(table: GearTable): Uint8Array {
  const out = new Uint8Array(2048);
  const view = new DataView(out.buffer);
  for (let i = 0; i < table.length; i++) view.setUint32(i * 4, table[i]!, false);
  return out;
}

function gearFor(gear: string | { keyHex: string }): GearTable {
  return typeof gear === 'string' ? standardGearTable() : keyedGearTable(Buffer.from(gear.keyHex, 'hex'));
}

describe('gear tables', () => {
  it('standard: entry i is the first 8 bytes of MD5 over 64 bytes equal to i', () => {
    const expected = new Uint8Array(2048);
    for (let i = 0; i < 256; i++) {
      expected.set(createHash('md5').update(new Uint8Array(64).fill(i)).digest().subarray(0, 8), i * 8);
    }
    const bytes = gearBytes(standardGearTable());
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
    expect(sha256(bytes)).toBe(gearVectors.standard.sha256);
    for (const e of gearVectors.standard.entries) {
      expect(Buffer.from(bytes.subarray(e.index * 8, e.index * 8 + 8)).toString('hex')).toBe(e.hex);
    }
  });

  it('keyed: HKDF-SHA-256 with info kluis/v1/chunker-gear, cross-checked with node:crypto', () => {
    for (const v of gearVectors.keyed) {
      const key = Buffer.from(v.keyHex, 'hex');
      const bytes = gearBytes(keyedGearTable(key));
      expect(
        Buffer.from(bytes).equals(Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), v.info, 2048))),
      ).toBe(true);
      expect(sha256(bytes)).toBe(v.sha256);
    }
  });

  it('standardGearTable returns a fresh copy; keyedGearTable rejects short keys', () => {
    const a = standardGearTable();
    a[0] = 0;
    expect(standardGearTable()[0]).toBe(0x3b5d3c7d);
    expect(() => keyedGearTable(new Uint8Array(15))).toThrow(RangeError);
    expect(() => keyedGearTable('secret' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('FastCDC 2020 vectors produced by fastcdc-rs on generated inputs', async () => {
  const factory = await loadChunker();
  for (const v of vectors.cases) {
    it(v.name, () => {
      const data = vectorInput(v.input as VectorInput);
      expect(sha256(data)).toBe(v.inputSha256);
      const gear = gearFor(v.gear);
      if (typeof v.gear !== 'string') expect(sha256(gearBytes(gear))).toBe(v.gear.tableSha256);
      const options = { ...(v.options as ChunkerOptions), gear };
      const ref = referenceChunker(options);
      const refLengths = [...ref.push(data), ...ref.finish()].map((c) => c.length);
      expect(refLengths).toEqual(v.lengths);
      const wasm = factory.create(options);
      const wasmLengths: number[] = [];
      const piece = 1_000_003; // odd-sized pieces cross every window boundary differently
      for (let i = 0; i < data.length; i += piece) {
        for (const c of wasm.push(data.subarray(i, i + piece))) wasmLengths.push(c.length);
      }
      for (const c of wasm.finish()) wasmLengths.push(c.length);
      expect(wasmLengths).toEqual(v.lengths);
    });
  }
});

// The fastcdc-rs fixture is not part of this repository. To re-check the published vectors, point
// FASTCDC_FIXTURE at a copy of SekienAkashita.jpg.
const fixture = process.env.FASTCDC_FIXTURE;
describe.skipIf(fixture === undefined || !existsSync(fixture))('fastcdc-rs published vectors', () => {
  it('reproduces every published v2020 cut point', async () => {
    const data = new Uint8Array(readFileSync(fixture!));
    expect(sha256(data)).toBe(published.fixture.sha256);
    const factory = await loadChunker();
    for (const c of published.cases) {
      // fastcdc-rs's seed is XORed into every entry of the standard table.
      const gear = standardGearTable();
      for (let i = 0; i < 512; i += 2) gear[i + 1] = (gear[i + 1]! ^ c.seed) >>> 0;
      const options = { ...(c.options as ChunkerOptions), gear };
      for (const chunker of [referenceChunker(options), factory.create(options)]) {
        expect([...chunker.push(data), ...chunker.finish()].map((x) => x.length)).toEqual(c.lengths);
      }
    }
  });
});
