// Builds the restore page into a folder of static files: app.js, kdf-worker.js and sw.js bundled
// by esbuild from this folder's sources (with @kluis/core, @kluis/transport-http and client-zip),
// style.css, and index.html carrying the subresource-integrity hashes of the page's own script and
// style sheet. Run by the server package's build (tsup.config.ts) and by its tests.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** `sha384-…` of bytes, as the `integrity` attribute wants it. */
export function integrity(bytes: Uint8Array | string): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** The files written, with their integrity hashes. */
export interface BuiltPage {
  dir: string;
  files: Record<string, string>;
}

/** Bundles and writes the page into `outDir` (created if missing). */
export async function buildRestorePage(outDir: string, o: { minify?: boolean } = {}): Promise<BuiltPage> {
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: {
      app: here('./src/app.ts'),
      'kdf-worker': here('./src/kdf-worker.ts'),
      sw: here('./src/sw.ts'),
    },
    bundle: true,
    write: false,
    outdir: outDir,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@kluis/source'],
    minify: o.minify ?? true,
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const files: Record<string, string> = {};
  for (const f of result.outputFiles) {
    await writeFile(f.path, f.contents);
    files[basename(f.path)] = integrity(f.contents);
  }
  const css = await readFile(here('./style.css'));
  await writeFile(join(outDir, 'style.css'), css);
  files['style.css'] = integrity(css);
  const html = (await readFile(here('./index.html'), 'utf8'))
    .replace('%STYLE_INTEGRITY%', files['style.css'])
    .replace('%APP_INTEGRITY%', files['app.js']!);
  await writeFile(join(outDir, 'index.html'), html);
  files['index.html'] = integrity(html);
  return { dir: outDir, files };
}
