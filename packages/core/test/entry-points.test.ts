// The front door of @kluis/core: what each entry point exports, that the root stays the short list
// an application needs (a name added to it must be added here on purpose), that no name is
// exported by two entry points, and that every browser-safe entry point bundles for the browser
// and loads with nothing from Node.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as {
  exports: Record<string, { '@kluis/source': string; types: string; default: string }>;
};
const sourceOf = (entry: string) => join(pkgDir, manifest.exports[entry]!['@kluis/source']);

/** Every name (value or type) an entry point exports, from the compiler's view of its source. */
function exportedNames(entries: string[]): Map<string, string[]> {
  const files = entries.map(sourceOf);
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    customConditions: ['@kluis/source'],
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  entries.forEach((entry, i) => {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(files[i]!)!)!;
    out.set(
      entry,
      checker
        .getExportsOfModule(symbol)
        .map((s) => s.name)
        .sort(),
    );
  });
  return out;
}

// The root: repository lifecycle, backup, restore, check, forget / prune / tag, ls / find / dump
// helpers, tree stats, transports and their wrappers, errors. Formats, stores and codecs are in
// ./format, sealing and key slots in ./crypto.
const ROOT = [
  'AbortOptions',
  'AffectedFile',
  'BackupEvent',
  'BackupOptions',
  'BackupResult',
  'BackupSource',
  'CacheKind',
  'CacheOptions',
  'CacheStore',
  'CheckOptions',
  'CheckProblem',
  'CheckReport',
  'ChunkerParams',
  'DEFAULT_CHUNKER',
  'DamagedObject',
  'ERROR_CODES',
  'ErrorCode',
  'FindOptions',
  'ForgetCapacity',
  'ForgetOptions',
  'ForgetResult',
  'ForgetSelection',
  'FoundFile',
  'GetOptions',
  'InitOptions',
  'IntegrityError',
  'KeyInfo',
  'KluisError',
  'KluisErrorOptions',
  'MemoryCacheStoreOptions',
  'MemoryTransportOptions',
  'MeteredTransport',
  'MetricsOptions',
  'ObjectInfo',
  'ObjectWriter',
  'OperationMetrics',
  'PruneOptions',
  'PruneReport',
  'PutOptions',
  'Repository',
  'RepositoryConfig',
  'RepositoryOptions',
  'RestoreEvent',
  'RestoreOptions',
  'RestoreResult',
  'RestoreTarget',
  'RetryEvent',
  'RetryOptions',
  'Snapshot',
  'SnapshotRef',
  'SnapshotSummary',
  'SourceEntry',
  'StreamSourceOptions',
  'TRANSPORT_OPS',
  'TagChange',
  'TagResult',
  'TarEntry',
  'Transport',
  'TransportCapabilities',
  'TransportMetrics',
  'TransportOp',
  'TreeClaim',
  'TreeNode',
  'ValidationError',
  'ValidationIssue',
  'assertKey',
  'assertPrefix',
  'backup',
  'check',
  'dumpTar',
  'fileContent',
  'findFiles',
  'findPath',
  'forget',
  'globMatcher',
  'initRepository',
  'measureTree',
  'memoryCacheStore',
  'memoryTransport',
  'openRepository',
  'prune',
  'restore',
  'sliceRange',
  'streamSource',
  'tagSnapshots',
  'tarStream',
  'throwIfAborted',
  'walkTree',
  'withCache',
  'withLimit',
  'withMetrics',
  'withRetry',
];

const NEUTRAL = ['.', './format', './crypto', './testing'];

describe('@kluis/core entry points', () => {
  const names = exportedNames(['.', './format', './crypto', './node', './node/early-key', './testing']);

  it('the root exports exactly the pinned list', () => {
    expect(names.get('.')).toEqual([...ROOT].sort());
  });

  it('format and crypto hold what left the root, and no name is exported twice', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [entry, list] of names) {
      for (const name of list) {
        if (seen.has(name)) twice.push(`${name} (${seen.get(name)} and ${entry})`);
        seen.set(name, entry);
      }
    }
    expect(twice).toEqual([]);
    expect(names.get('./format')).toEqual(
      expect.arrayContaining(['BlobStore', 'SnapshotStore', 'decodeTree', 'encodeConfig', 'FORMAT_VERSION']),
    );
    expect(names.get('./crypto')).toEqual(
      expect.arrayContaining(['seal', 'open', 'createKeySlot', 'deriveSubkeys', 'portableCrypto']),
    );
    expect(names.get('./node')).toContain('nodeRepositoryOptions');
    expect(names.get('./node/early-key')).toEqual([
      'EarlyKey',
      'EarlyKeyOptions',
      'startEarlyKey',
      'withEarlyKey',
    ]);
  });

  it('every entry point of every package has its API page in the typedoc configuration', async () => {
    const packages = join(pkgDir, '..');
    const root = JSON.parse(await readFile(join(packages, '..', 'typedoc.json'), 'utf8')) as {
      packageOptions: { entryPoints: string[] };
    };
    for (const dir of readdirSync(packages)) {
      const own = join(packages, dir, 'typedoc.json');
      const documented = existsSync(own)
        ? (JSON.parse(await readFile(own, 'utf8')) as { entryPoints: string[] }).entryPoints
        : root.packageOptions.entryPoints;
      const pkg = JSON.parse(await readFile(join(packages, dir, 'package.json'), 'utf8')) as typeof manifest;
      const exported = Object.values(pkg.exports).map((e) => e['@kluis/source'].replace(/^\.\//, ''));
      expect({ dir, entries: [...documented].sort() }).toEqual({ dir, entries: exported.sort() });
    }
  });

  it.each(NEUTRAL)('%s bundles for the browser with no Node built-in and loads', async (entry) => {
    const result = await build({
      entryPoints: [sourceOf(entry)],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      conditions: ['@kluis/source'],
      external: ['fast-check'], // the optional peer of ./testing, imported when a model test runs
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((m) => m.path));
    expect(imports.filter((p) => p.startsWith('node:'))).toEqual([]);
    expect(inputs.filter((p) => p.includes('/src/node/'))).toEqual([]);
    const dir = await mkdtemp(join(tmpdir(), 'kluis-entry-'));
    try {
      const file = join(dir, 'bundle.mjs');
      await writeFile(file, result.outputFiles[0]!.text);
      const loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const values = Object.keys(loaded).sort();
      expect(values.length).toBeGreaterThan(0);
      // Every value the bundle exports is one the source declares (types vanish from the bundle).
      expect(values.filter((n) => !names.get(entry)!.includes(n))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
