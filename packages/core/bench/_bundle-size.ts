// Bundles bundle-app.ts for the browser as an application would (esbuild, minified, tree-shaken)
// and measures it: minified and gzip bytes, and the bytes each package contributes. Shared by
// the benchmark (bundle.ts) and the ceiling test (test/bundle-size.test.ts).
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** What {@link measureBundle} reports, in bytes. */
export interface BundleSize {
  minified: number;
  gzip: number;
  /** Bytes in the output per source: a package name, or `@kluis/<name>` for the workspace's own. */
  bySource: Record<string, number>;
}

function sourceOf(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const ws = /packages\/([^/]+)\//.exec(path);
  return ws ? `@kluis/${ws[1]}` : path;
}

/** Bundles the minimal backup/restore program for the browser and measures it. */
export async function measureBundle(): Promise<BundleSize> {
  const result = await build({
    entryPoints: [new URL('./bundle-app.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@kluis/source'],
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const bySource: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs))
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs))
      bySource[sourceOf(path)] = (bySource[sourceOf(path)] ?? 0) + bytesInOutput;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, bySource };
}
