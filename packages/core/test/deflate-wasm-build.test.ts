import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFLATE_WASM_BASE64 } from '../src/deflate/_deflate-wasm';

const pkg = new URL('..', import.meta.url).pathname;
const shippedWasm = readFileSync(join(pkg, 'wasm/deflate.wasm'));
const shippedTs = readFileSync(join(pkg, 'src/deflate/_deflate-wasm.ts'));

describe('deflate.wasm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kluis-wasm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the embedded base64 is exactly wasm/deflate.wasm, a module with no imports', () => {
    expect(Buffer.from(DEFLATE_WASM_BASE64, 'base64').equals(shippedWasm)).toBe(true);
    const module = new WebAssembly.Module(shippedWasm);
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    // Only what the encoder needs: the code-length test hooks live in deflate-lengths.wasm.
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['compress', 'memory', 'output', 'prepare']);
  });

  it('rebuilding from assembly/ reproduces both shipped files byte for byte', () => {
    const wasm = join(dir, 'deflate.wasm');
    const ts = join(dir, '_deflate-wasm.ts');
    execFileSync(
      process.execPath,
      [join(pkg, 'scripts/build-wasm.mjs'), '--module', 'deflate', '--out-wasm', wasm, '--out-ts', ts],
      { stdio: 'pipe' },
    );
    expect(readFileSync(wasm).equals(shippedWasm)).toBe(true);
    expect(readFileSync(ts).equals(shippedTs)).toBe(true);
  });

  it('the test-only code-length module rebuilds byte for byte too', () => {
    const wasm = join(dir, 'deflate-lengths.wasm');
    const ts = join(dir, 'deflate-lengths-wasm.ts');
    execFileSync(
      process.execPath,
      [
        join(pkg, 'scripts/build-wasm.mjs'),
        '--module',
        'deflate-lengths',
        '--out-wasm',
        wasm,
        '--out-ts',
        ts,
      ],
      { stdio: 'pipe' },
    );
    expect(readFileSync(wasm).equals(readFileSync(join(pkg, 'wasm/deflate-lengths.wasm')))).toBe(true);
    expect(readFileSync(ts).equals(readFileSync(join(pkg, 'test/deflate-lengths-wasm.ts')))).toBe(true);
  });
});
