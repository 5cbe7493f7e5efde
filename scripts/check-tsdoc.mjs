#!/usr/bin/env node
// Checks that every public export of every publishable package is documented.
//
// What is checked: each entry point of each package under packages/ (the "@kluis/source" targets
// of its package.json "exports"), and every symbol it exports, re-exports followed to the
// declaration that defines the symbol.
//
// The rule:
// 1. Every exported declaration has a TSDoc comment (`/** ... */`) with a summary sentence.
// 2. It also has an `@example` block, unless it is a plain data type: an interface, or a type
//    alias, that declares no methods and no call or construct signatures (option bags, results,
//    events, records). Properties holding callbacks (`onEvent?: (e) => void`) do not count as
//    methods: a caller only fills them in. Interfaces with methods are contracts that someone
//    implements or calls, and function types are called: both need an example, as do functions,
//    classes, enums, namespaces and constants.
// 3. A symbol with several declarations (overloads, a class merged with an interface, a const
//    and a type of one name) passes when one of its declarations carries the summary and, when
//    any declaration needs one, the example.
//
// Usage: node scripts/check-tsdoc.mjs [--json]. Prints what is missing, per package and entry
// point, and exits 1 when anything is.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;

/** Entry points of the publishable packages: [{ pkg, entry, file }]. */
function entryPoints() {
  const out = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
      const source = typeof target === 'object' ? target['@kluis/source'] : undefined;
      if (source) out.push({ pkg: manifest.name, entry, file: join(root, 'packages', dir, source) });
    }
  }
  return out;
}

function compilerOptions() {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath).options;
}

const text = (comment) => (typeof comment === 'string' ? comment : (ts.getTextOfJSDocComment(comment) ?? ''));

/** The TSDoc blocks of a declaration (for a variable: of its statement), without file headers. */
function docsOf(decl) {
  return ts
    .getJSDocCommentsAndTags(decl)
    .filter(ts.isJSDoc)
    .filter((doc) => !(doc.tags ?? []).some((t) => t.tagName.text === 'packageDocumentation'));
}

function hasSummary(decl) {
  return docsOf(decl).some((doc) => text(doc.comment).trim().length > 0);
}

function hasExample(decl) {
  return docsOf(decl).some((doc) => (doc.tags ?? []).some((t) => t.tagName.text === 'example'));
}

const CALLABLE = new Set([
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.CallSignature,
  ts.SyntaxKind.ConstructSignature,
  ts.SyntaxKind.FunctionType,
  ts.SyntaxKind.ConstructorType,
]);

/** Whether a type node declares something callable at its top level (not inside a property). */
function declaresCallable(node) {
  if (CALLABLE.has(node.kind)) return true;
  if (ts.isTypeLiteralNode(node)) return node.members.some((m) => CALLABLE.has(m.kind));
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) return node.types.some(declaresCallable);
  if (ts.isParenthesizedTypeNode(node)) return declaresCallable(node.type);
  return false;
}

/** Plain data types need only a summary (rule 2). */
function isDataType(decl) {
  if (ts.isInterfaceDeclaration(decl)) return !decl.members.some((m) => CALLABLE.has(m.kind));
  if (ts.isTypeAliasDeclaration(decl)) return !declaresCallable(decl.type);
  return false;
}

function kindOf(decl) {
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isEnumDeclaration(decl)) return 'enum';
  if (ts.isModuleDeclaration(decl)) return 'namespace';
  if (ts.isVariableDeclaration(decl)) return 'const';
  return ts.SyntaxKind[decl.kind];
}

/** What a symbol lacks: [] when it passes. */
function problemsOf(declarations) {
  const problems = [];
  if (!declarations.some(hasSummary)) problems.push('no TSDoc');
  const needsExample = declarations.some((d) => !isDataType(d));
  if (needsExample && !declarations.some(hasExample)) problems.push('no @example');
  return problems;
}

function where(decl) {
  const file = decl.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(decl.getStart(file));
  return `${relative(root, file.fileName)}:${line + 1}`;
}

function check() {
  const entries = entryPoints();
  const program = ts.createProgram(
    entries.map((e) => e.file),
    compilerOptions(),
  );
  const checker = program.getTypeChecker();
  const seen = new Set();
  const report = [];
  const checked = {};
  for (const { pkg, entry, file } of entries) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`cannot load ${relative(root, file)} (${pkg} ${entry})`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = symbol.declarations ?? [];
      const first = declarations[0];
      if (!first || seen.has(`${pkg} ${where(first)}`)) continue;
      seen.add(`${pkg} ${where(first)}`);
      checked[pkg] = (checked[pkg] ?? 0) + 1;
      const problems = problemsOf(declarations);
      if (problems.length === 0) continue;
      report.push({ pkg, entry, name: exported.name, kind: kindOf(first), problems, at: where(first) });
    }
  }
  return { report, checked };
}

function print({ report, checked }) {
  let last = '';
  for (const r of report) {
    const group = `${r.pkg}${r.entry === '.' ? '' : r.entry.slice(1)}`;
    if (group !== last) console.log(`\n${group}`);
    last = group;
    console.log(`  ${r.name} (${r.kind}): ${r.problems.join(', ')}  ${r.at}`);
  }
  const counts = Object.entries(checked).map(([pkg, n]) => `${pkg} ${n}`);
  console.log(`\ntsdoc: checked ${counts.join(', ')} public exports`);
  console.log(
    report.length === 0
      ? 'tsdoc: every public export is documented'
      : `tsdoc: ${report.length} lack TSDoc or an @example`,
  );
}

const result = check();
if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
else print(result);
if (result.report.length > 0) process.exit(1);
