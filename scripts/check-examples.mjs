#!/usr/bin/env node
// Type-checks every TSDoc `@example` of the publishable packages against their sources.
//
// What is checked: each `@example` block (fenced ```ts, or bare code up to the next tag) in every
// TypeScript file under packages/*/src of a package that is not private. Each block becomes one
// module, compiled with the repository's tsconfig (so `@kluis/*` imports resolve to the sources
// through the "@kluis/source" condition) and in one program with all the others.
//
// What a block may assume, so that examples can stay short:
// - every export of the file the block documents (internal modules included), then every public
//   export of every package, imported by name (the block's own package first); a block's own
//   imports and top-level declarations take precedence over these;
// - the variables declared in AMBIENT below (`transport`, `repo`, `password`, ...), with real
//   types, so a call on them is checked as strictly as any other.
// Anything else is an error: a name that exists nowhere, a wrong property, a wrong argument.
//
// Usage: node scripts/check-examples.mjs. Prints `file:line` of each failing example with the
// compiler's message, and exits 1 when any fails.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;

// Variables the examples use without declaring them: what a reader has at hand in a program that
// uses kluis. Typed (from the defining source files, so that moving an export between entry points
// does not break this list), so that what examples do with them is checked.
const AMBIENT = `
import type { S3Client } from '@aws-sdk/client-s3';
import type { KeySlot } from '../packages/core/src/crypto/key-slot.ts';
import type { CryptoProvider } from '../packages/core/src/crypto/provider.ts';
import type { LocalTransport } from '../packages/core/src/node/local-transport.ts';
import type { Sealer } from '../packages/core/src/repo/format/sealer.ts';
import type { RepositoryConfig } from '../packages/core/src/repo/format/config.ts';
import type { IndexPack } from '../packages/core/src/repo/format/index-file.ts';
import type { PackEntry } from '../packages/core/src/repo/format/pack.ts';
import type { Repository } from '../packages/core/src/repo/repository.ts';
import type { Snapshot } from '../packages/core/src/repo/format/snapshot.ts';
import type { Transport } from '../packages/core/src/transport.ts';
import type { TransportMetrics } from '../packages/core/src/transport-wrappers/with-metrics.ts';
import type { Version } from '../packages/retention/src/types.ts';
import type { DowntimeLog } from '../packages/sla/src/availability.ts';
import type { Calendar } from '../packages/sla/src/calendar.ts';
import type { DowntimeAnnouncement } from '../packages/sla/src/downtime.ts';
import type { Incident } from '../packages/sla/src/incident.ts';
import type { Sla } from '../packages/sla/src/sla.ts';
import type { WorkingDays } from '../packages/sla/src/working-days.ts';
import type { RestHandler, RestHooks } from '../packages/transport-http/src/index.ts';
declare global {
  // storage and repositories
  const transport: Transport;
  const store: Transport;
  const localStore: LocalTransport;
  const repo: Repository;
  const snapshot: Snapshot;
  const metrics: TransportMetrics;
  const root: string;
  const keys: string[];
  const config: RepositoryConfig;
  // secrets and bytes
  const password: string;
  const token: string;
  const master: Uint8Array;
  const kek: Uint8Array;
  const slot: KeySlot;
  const provider: CryptoProvider;
  const encryptionKey: Uint8Array;
  const chunkerKey: Uint8Array;
  const sealed: Uint8Array;
  const sealedMaster: Uint8Array;
  const bytes: Uint8Array;
  const keyBytes: Uint8Array;
  const data: Uint8Array;
  const chunk: Uint8Array;
  const packName: string;
  const head: Uint8Array;
  const tail: Uint8Array;
  let plain: Uint8Array;
  const opened: Uint8Array;
  const pieces: Uint8Array[];
  const save: (chunk: Uint8Array) => Promise<void>;
  // blobs, packs and index entries
  const id: Uint8Array;
  const pack: Uint8Array;
  const t: Transport;
  const packs: IndexPack[];
  const entry: PackEntry;
  const entries: PackEntry[];
  const entryWithoutOffset: Omit<PackEntry, 'offset' | 'length' | 'type'>;
  const sealer: Sealer;
  const sealedBytes: Uint8Array;
  const packBytes: Uint8Array;
  const packLength: number;
  const headerSealedLength: number;
  const signal: AbortSignal;
  // S3
  const client: S3Client;
  const bucket: string;
  // HTTP
  const handler: RestHandler;
  const hooks: RestHooks;
  const request: Request;
  // retention and SLA
  const versions: Version[];
  const sla: Sla;
  const calendar: Calendar;
  const wd: WorkingDays;
  const log: DowntimeLog;
  const incident: Incident;
  const incidents: Incident[];
  const downtime: DowntimeAnnouncement[];
}
export {};
`;

// A documented declaration whose example has one known error on its line 7. It is checked with the
// others: if the checker stops reporting exactly that error at that line (a name typed \`any\` in
// AMBIENT, a broken line mapping), the check fails instead of passing everything.
const CANARY = {
  file: '(canary)',
  text: [
    '/**',
    ' * A canary.',
    ' *',
    ' * @example',
    ' * ```ts',
    ' * const keys = await repo.listKeys();',
    ' * await repo.noSuchMethod(keys);',
    ' * ```',
    ' */',
  ].join('\n'),
  expected: ["(canary):7: Property 'noSuchMethod' does not exist on type 'Repository'. (TS2339)"],
};

/** Publishable packages: [{ dir, name, entries: [{ specifier, file }] }], in directory order. */
function packages() {
  const out = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const entries = [];
    for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
      const source = typeof target === 'object' ? target['@kluis/source'] : undefined;
      if (source)
        entries.push({
          specifier: manifest.name + entry.slice(1),
          file: join(root, 'packages', dir, source),
        });
    }
    out.push({ dir: join('packages', dir), name: manifest.name, entries });
  }
  return out;
}

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) {
      if (name !== 'assembly') out.push(...sourceFiles(rel));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** The `@example` blocks of a file: [{ line (1-based, of the first code line), code }]. */
function examplesOf(text) {
  const found = [];
  const lines = text.split('\n');
  let inDoc = false;
  let example; // { line, code: [], fenced, open }
  const finish = () => {
    if (example?.code.some((l) => l.trim() !== ''))
      found.push({ line: example.line, code: example.code.join('\n') });
    example = undefined;
  };
  lines.forEach((raw, i) => {
    if (!inDoc && /^\s*\/\*\*/.test(raw)) inDoc = true;
    if (!inDoc) return;
    const end = raw.includes('*/');
    const body = raw.replace(/^\s*\/?\*\*?\s?/, '').replace(/\s*\*\/\s*$/, '');
    if (/^@example\b/.test(body.trim())) {
      finish();
      example = { line: i + 2, code: [], fenced: false, open: false };
    } else if (example) {
      const fence = /^```/.test(body.trim());
      if (fence && !example.open && example.code.length === 0) {
        example.fenced = true;
        example.open = true;
        example.line = i + 2;
      } else if (fence && example.open) {
        finish();
      } else if (!example.fenced && /^@\w+/.test(body.trim())) {
        finish();
      } else if (example.open || !example.fenced) {
        example.code.push(body);
      }
    }
    if (end) {
      finish();
      inDoc = false;
    }
  });
  return found;
}

function compilerOptions() {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath).options;
  // Examples show how to call things: unused names in them are fine.
  return { ...options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
}

/** The exports of each module: Map(specifier or file → [{ name, isValue }]). */
function exportsOf(modules, options) {
  const program = ts.createProgram(
    modules.map((m) => m.file),
    options,
  );
  const checker = program.getTypeChecker();
  const result = new Map();
  result.program = program;
  for (const m of modules) {
    const source = program.getSourceFile(m.file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) {
      result.set(m.key, []); // a file without exports
      continue;
    }
    const names = checker.getExportsOfModule(moduleSymbol).map((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return { name: s.name, isValue: (target.flags & ts.SymbolFlags.Value) !== 0 };
    });
    result.set(m.key, names);
  }
  return result;
}

/** Names a block imports or declares at its top level. */
function ownNames(code) {
  const file = ts.createSourceFile('x.ts', code, ts.ScriptTarget.Latest, true);
  const names = new Set();
  const bind = (name) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements ?? []) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) names.add(c.name.text);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) names.add(b.name.text);
      if (b && ts.isNamedImports(b)) for (const el of b.elements) names.add(el.name.text);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) bind(d.name);
    } else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name
    ) {
      names.add(st.name.text);
    }
  }
  return names;
}

/** The prelude of one block: imports of every export it does not define itself. */
function prelude(file, pkg, pkgs, exports, own) {
  const sources = [{ key: file, from: join(root, file) }];
  for (const p of [pkg, ...pkgs.filter((x) => x !== pkg)])
    for (const e of p.entries) sources.push({ key: e.specifier, from: e.specifier });
  const taken = new Set(own);
  const lines = [];
  for (const { key, from } of sources) {
    const values = [];
    const types = [];
    for (const { name, isValue } of exports.get(key)) {
      if (taken.has(name)) continue;
      taken.add(name);
      (isValue ? values : types).push(name);
    }
    if (values.length) lines.push(`import { ${values.join(', ')} } from '${from}';`);
    if (types.length) lines.push(`import type { ${types.join(', ')} } from '${from}';`);
  }
  return lines.join('\n');
}

function check() {
  const started = performance.now();
  const options = compilerOptions();
  const pkgs = packages();
  const blocks = [];
  for (const pkg of pkgs) {
    for (const file of sourceFiles(join(pkg.dir, 'src'))) {
      const examples = examplesOf(readFileSync(join(root, file), 'utf8'));
      if (examples.length > 0) blocks.push({ pkg, file, examples });
    }
  }
  const modules = [
    ...pkgs.flatMap((p) => p.entries.map((e) => ({ key: e.specifier, file: e.file }))),
    ...blocks.map((b) => ({ key: b.file, file: join(root, b.file) })),
  ];
  const exports = exportsOf(modules, options);
  const virtual = new Map(); // file name → { text, source, line, preludeLines }
  const ambientFile = join(root, '.examples', 'ambient.ts');
  virtual.set(ambientFile, { text: AMBIENT });
  exports.set(CANARY.file, []);
  blocks.push({ pkg: pkgs[0], file: CANARY.file, examples: examplesOf(CANARY.text) });
  for (const { pkg, file, examples } of blocks) {
    for (const ex of examples) {
      const head = prelude(file, pkg, pkgs, exports, ownNames(ex.code));
      const text = `${head}\n${ex.code}\nexport {};\n`;
      const name = join(root, '.examples', `${file.replaceAll(/[/()]/g, '_')}__${ex.line}.ts`);
      virtual.set(name, { text, source: file, line: ex.line, preludeLines: head.split('\n').length });
    }
  }
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError, create) => {
    const v = virtual.get(fileName);
    if (v) return ts.createSourceFile(fileName, v.text, language, true);
    return getSourceFile(fileName, language, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => virtual.get(f)?.text ?? readFile(f);
  // Reuses the parsed sources of the first program.
  const program = ts.createProgram([...virtual.keys()], options, host, exports.program);
  const failures = [];
  for (const [name, v] of virtual) {
    const sf = program.getSourceFile(name);
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    for (const d of diagnostics) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0];
      if (!v.source) {
        failures.push(`scripts/check-examples.mjs (ambient declarations): ${message}`);
        continue;
      }
      const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      const line = v.line + Math.max(0, at - v.preludeLines);
      failures.push(`${v.source}:${line}: ${message} (TS${d.code})`);
    }
  }
  const count = virtual.size - 2; // without the ambient declarations and the canary
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return { failures, count, seconds };
}

const { failures: all, count, seconds } = check();
const canary = all.filter((f) => f.startsWith(CANARY.file));
const failures = all.filter((f) => !f.startsWith(CANARY.file));
if (JSON.stringify(canary) !== JSON.stringify(CANARY.expected)) {
  failures.push(
    `scripts/check-examples.mjs: the canary example's error was reported as ${JSON.stringify(canary)}, ` +
      `expected ${JSON.stringify(CANARY.expected)}: the checker is broken`,
  );
}
for (const f of failures) console.log(f);
console.log(`examples: type-checked ${count} @example blocks in ${seconds} s`);
if (failures.length > 0) {
  console.log(`examples: ${failures.length} errors`);
  process.exit(1);
}
