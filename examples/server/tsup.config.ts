import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { buildRestorePage } from './restore-page/build.ts';

// The CLI as one ESM file for Node; dependencies (workspace packages included) stay external.
// The restore page is built beside it (dist/restore-page/), static files the server serves as
// they are: whoever runs the server has no build step of their own.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  dts: false,
  async onSuccess() {
    await buildRestorePage(fileURLToPath(new URL('./dist/restore-page/', import.meta.url)));
  },
});
