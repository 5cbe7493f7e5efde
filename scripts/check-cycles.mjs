#!/usr/bin/env node
/**
 * Fails when the relative imports under `packages/*\/src` and `examples/*\/src` form a circle, or
 * reach into another folder's private module.
 *
 * Every `import`/`export ... from` and dynamic `import('...')` with a relative specifier counts,
 * type-only ones included: a circle closed by `import type` still ties two modules together for a
 * reader, and it is how circles usually creep in. Specifiers are resolved the way the TypeScript
 * sources write them (`./x.ts`, `./x.js`, `./x`, `./dir` meaning `./dir/index.ts`).
 *
 * A module whose file name starts with `_` is private to its folder: only modules in that folder or
 * below it import it (tests may import anything). So an entry point never re-exports one, and a
 * module that another folder needs goes without the underscore.
 *
 * Usage: `node scripts/check-cycles.mjs [root]`; exits 1 and prints each circle and each private
 * import from outside when there is one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = /\.(?:ts|tsx|mts|cts)$/;

/** Lists the TypeScript source files under `dir` (recursively), skipping declaration files. */
function listSources(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...listSources(path));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Strips comments so that an import spelled out in TSDoc is not mistaken for a real one. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const IMPORT =
  /(?:^|[;\s}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.{1,2}\/[^'"]*|\.{1,2})['"]|import\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)/g;

/** Returns the relative specifiers a module imports or re-exports. */
export function relativeSpecifiers(text) {
  const out = [];
  for (const m of stripComments(text).matchAll(IMPORT)) out.push(m[1] ?? m[2]);
  return out;
}

/** Resolves a relative specifier from `from` to a source file, or `undefined` when none exists. */
function resolveSpecifier(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
  ];
  return candidates.find((c) => SOURCE.test(c) && existsSync(c) && statSync(c).isFile());
}

/** Builds the import graph of `files`: file → files it imports. */
export function importGraph(files, read = (f) => readFileSync(f, 'utf8')) {
  const graph = new Map();
  for (const file of files) {
    const targets = new Set();
    for (const spec of relativeSpecifiers(read(file))) {
      const target = resolveSpecifier(file, spec);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * Finds the circles of a graph: one per strongly connected component with more than one module (or
 * a module importing itself), each reported as a path that returns to its start.
 */
export function findCycles(graph) {
  // Tarjan's strongly connected components, iterative so deep graphs cannot overflow the stack.
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const next = graph.get(node) ?? [];
      if (i < next.length) {
        frame[1]++;
        const to = next[i];
        if (!graph.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push([to, 0]);
        } else if (onStack.has(to)) low.set(node, Math.min(low.get(node), index.get(to)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        const selfLoop = component.length === 1 && (graph.get(node) ?? []).includes(node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => cyclePath(graph, new Set(component)));
}

/** A shortest circle through the component's first module (by name), for a readable report. */
function cyclePath(graph, members) {
  const start = [...members].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let n = node; n !== start; n = previous.get(n)) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/**
 * The imports of a private module (`_name.ts`) from outside its folder: `[importer, imported]`
 * pairs. A private module may be imported from its own folder and the folders below it.
 */
export function privateImports(graph) {
  const out = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const home = dirname(to) + sep;
      if (basename(to).startsWith('_') && !from.startsWith(home)) out.push([from, to]);
    }
  }
  return out;
}

/** The source folders checked: `packages/*\/src` and `examples/*\/src` under `root`. */
export function sourceRoots(root) {
  const out = [];
  for (const group of ['packages', 'examples']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) out.push(join(dir, name, 'src'));
  }
  return out;
}

function main() {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const files = sourceRoots(root).flatMap(listSources);
  const graph = importGraph(files);
  const cycles = findCycles(graph);
  const reaches = privateImports(graph);
  if (cycles.length === 0 && reaches.length === 0) {
    console.log(
      `check-cycles: ${files.length} modules, no import circles, no private module imported from outside`,
    );
    return;
  }
  for (const cycle of cycles) {
    console.error(`import circle: ${cycle.map((f) => relative(root, f)).join(' -> ')}`);
  }
  for (const [from, to] of reaches) {
    console.error(
      `private import: ${relative(root, from)} imports ${relative(root, to)} from outside its folder`,
    );
  }
  if (cycles.length) {
    console.error(
      `check-cycles: ${cycles.length} import circle(s); move the shared types so imports run one way`,
    );
  }
  if (reaches.length) {
    console.error(
      `check-cycles: ${reaches.length} private import(s); a module other folders use goes without the leading underscore`,
    );
  }
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
