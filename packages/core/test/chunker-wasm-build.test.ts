import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FASTCDC_WASM_BASE64 } from '../src/chunker/_fastcdc-wasm';

const pkg = new URL('..', import.meta.url).pathname;
const shippedWasm = readFileSync(join(pkg, 'wasm/fastcdc.wasm'));
const shippedTs = readFileSync(join(pkg, 'src/chunker/_fastcdc-wasm.ts'));

describe('fastcdc.wasm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kluis-wasm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the embedded base64 is exactly wasm/fastcdc.wasm, a module with no imports', () => {
    expect(Buffer.from(FASTCDC_WASM_BASE64, 'base64').equals(shippedWasm)).toBe(true);
    const module = new WebAssembly.Module(shippedWasm);
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(
      expect.arrayContaining(['memory', 'gearTable', 'windowBase', 'configure', 'cut']),
    );
  });

  it('rebuilding from assembly/ reproduces both shipped files byte for byte', () => {
    const wasm = join(dir, 'fastcdc.wasm');
    const ts = join(dir, '_fastcdc-wasm.ts');
    execFileSync(
      process.execPath,
      [join(pkg, 'scripts/build-wasm.mjs'), '--module', 'fastcdc', '--out-wasm', wasm, '--out-ts', ts],
      {
        stdio: 'pipe',
      },
    );
    expect(readFileSync(wasm).equals(shippedWasm)).toBe(true);
    expect(readFileSync(ts).equals(shippedTs)).toBe(true);
  });
});
