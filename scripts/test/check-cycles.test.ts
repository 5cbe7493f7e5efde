import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findCycles, privateImports, relativeSpecifiers } from '../check-cycles.mjs';

const script = fileURLToPath(new URL('../check-cycles.mjs', import.meta.url));
const roots: string[] = [];

/** A throwaway workspace with the given files under it; the checker is run on it as a real tree. */
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'check-cycles-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function run(root: string): { status: number; output: string } {
  try {
    return {
      status: 0,
      output: execFileSync(process.execPath, [script, root], { encoding: 'utf8', stdio: 'pipe' }),
    };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, output: err.stdout + err.stderr };
  }
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('check-cycles', () => {
  it('finds a circle closed by a type-only import, across folders and packages/examples', () => {
    const root = workspace({
      'packages/a/src/main.ts': "import { helper } from './sub/_helper';\nexport const x = helper;\n",
      'packages/a/src/sub/_helper.ts':
        "import type { X } from '../main.ts';\nexport const helper = 1 as unknown as X;\n",
      'examples/b/src/one.ts': "export { two } from './two.js';\n",
      'examples/b/src/two.ts': 'export const two = 2;\n',
    });
    const { status, output } = run(root);
    expect(status).toBe(1);
    expect(output).toContain(
      'import circle: packages/a/src/main.ts -> packages/a/src/sub/_helper.ts -> packages/a/src/main.ts',
    );
    expect(output).toContain('1 import circle(s)');
  });

  it('passes a graph whose imports run one way, and ignores imports written in comments', () => {
    const root = workspace({
      'packages/a/src/index.ts': "export { b } from './b';\nexport * from './dir';\n",
      'packages/a/src/b.ts': "import {\n  c,\n  type C,\n} from './c';\nexport const b: C = c;\n",
      'packages/a/src/c.ts':
        "/** Not an import: `import { b } from './b'`. */\nexport const c = 1;\nexport type C = number;\n// import { b } from './b';\n",
      'packages/a/src/dir/index.ts': "export const d = await import('../c');\n",
    });
    const { status, output } = run(root);
    expect(output).toContain('4 modules, no import circles, no private module imported from outside');
    expect(status).toBe(0);
  });

  it('reads every form of relative import and re-export, and no package imports', () => {
    const text = [
      "import a from './a';",
      "import type { B } from '../b.ts';",
      "import './side-effect';",
      "export * as ns from './ns.js';",
      "export type { T } from './t';",
      "const lazy = import('./lazy');",
      "import { z } from 'zod';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(relativeSpecifiers(text)).toEqual(['./a', '../b.ts', './side-effect', './ns.js', './t', './lazy']);
  });

  it('reports a module importing itself and each separate circle once', () => {
    const graph = new Map([
      ['a', ['a']],
      ['b', ['c']],
      ['c', ['d']],
      ['d', ['b']],
      ['e', ['b']],
    ]);
    expect(findCycles(graph)).toEqual([
      ['a', 'a'],
      ['b', 'c', 'd', 'b'],
    ]);
  });

  it('fails when a private module is imported from outside its folder, and allows its folder and below', () => {
    const root = workspace({
      'packages/a/src/_shared.ts': 'export const shared = 1;\n',
      'packages/a/src/deep/user.ts': "import { shared } from '../_shared';\nexport const u = shared;\n",
      'packages/a/src/deep/_own.ts': 'export const own = 1;\n',
      'packages/a/src/other/reach.ts': "import { own } from '../deep/_own';\nexport const r = own;\n",
    });
    const { status, output } = run(root);
    expect(status).toBe(1);
    expect(output).toContain(
      'private import: packages/a/src/other/reach.ts imports packages/a/src/deep/_own.ts from outside its folder',
    );
    expect(output).not.toContain('deep/user.ts imports');
    expect(output).toContain('1 private import(s)');
    expect(privateImports(new Map([['/p/x/a.ts', ['/p/x/y/_b.ts']]]))).toEqual([
      ['/p/x/a.ts', '/p/x/y/_b.ts'],
    ]);
    expect(privateImports(new Map([['/p/x/y/z/a.ts', ['/p/x/_b.ts']]]))).toEqual([]);
  });
});
