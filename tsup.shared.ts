import type { Options } from 'tsup';

/**
 * One build configuration for every package: ESM, declarations, source maps.
 *
 * All entries of a package build together with `splitting: true`, so code that several entries use
 * (`KluisError`, the DEFLATE encoder's WebAssembly, the crypto) is one shared chunk rather than a
 * copy per entry: `instanceof` holds across entry points, and a worker script loads only what it
 * uses. The shipped files build for Node's resolution; browser safety is checked by a second,
 * `platform: 'neutral'` build of the browser-safe entries that writes nothing to `dist` (a Node
 * built-in leaking into them fails it).
 */
export function kluisBuild(entries: {
  neutral: Record<string, string>;
  node?: Record<string, string>;
}): Options[] {
  const common: Options = {
    format: ['esm'],
    target: 'es2022',
    treeshake: true,
    esbuildOptions(o) {
      o.conditions = ['import', 'default'];
      o.mainFields = ['module', 'main'];
    },
  };
  return [
    {
      ...common,
      entry: { ...entries.neutral, ...entries.node },
      platform: 'node',
      splitting: true,
      dts: true,
      sourcemap: true,
      // Hashed chunk names change from build to build: start from an empty dist so none linger.
      clean: true,
    },
    {
      ...common,
      name: 'browser-safety',
      entry: entries.neutral,
      platform: 'neutral',
      splitting: true,
      dts: false,
      sourcemap: false,
      clean: true,
      outDir: 'node_modules/.cache/kluis-neutral-check',
    },
  ];
}
