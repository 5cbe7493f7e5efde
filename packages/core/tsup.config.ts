import { defineConfig } from 'tsup';
import { kluisBuild } from '../../tsup.shared.ts';

export default defineConfig(
  kluisBuild({
    neutral: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    node: {
      'node/index': 'src/node/index.ts',
      'node/_encoder-worker': 'src/node/_encoder-worker.ts',
      'node/_decoder-worker': 'src/node/_decoder-worker.ts',
    },
  }),
);
