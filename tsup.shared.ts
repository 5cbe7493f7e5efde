import type { Options } from 'tsup';

/**
 * One build configuration for every package: ESM, declarations, source maps. Browser-safe entries
 * build with `platform: 'neutral'`, so a Node built-in leaking into them fails the build; entries
 * under `src/node/` build for Node.
 */
export function kluisBuild(entries: {
  neutral: Record<string, string>;
  node?: Record<string, string>;
  /** Share modules between the browser-safe entries in chunks instead of copying them into each. */
  splitNeutral?: boolean;
}): Options[] {
  const common: Options = {
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    splitting: false,
    treeshake: true,
    esbuildOptions(o) {
      o.conditions = ['import', 'default'];
      o.mainFields = ['module', 'main'];
    },
  };
  const out: Options[] = [
    { ...common, entry: entries.neutral, platform: 'neutral', splitting: entries.splitNeutral === true },
  ];
  if (entries.node) out.push({ ...common, entry: entries.node, platform: 'node' });
  return out;
}
