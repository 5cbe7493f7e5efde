import { defineConfig } from 'tsup';

// The CLI as one ESM file for Node; dependencies (workspace packages included) stay external.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  dts: false,
});
