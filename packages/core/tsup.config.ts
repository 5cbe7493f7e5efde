import { defineConfig } from 'tsup';
import { kluisBuild } from '../../tsup.shared.ts';

export default defineConfig(
  kluisBuild({
    neutral: {
      index: 'src/index.ts',
      format: 'src/format/index.ts',
      crypto: 'src/crypto/index.ts',
      testing: 'src/testing/index.ts',
    },
    // One copy of each module shared by the entry points, so a class from `@kluis/core/format`
    // is the same class the root's `Repository` uses.
    splitNeutral: true,
    node: {
      'node/index': 'src/node/index.ts',
      'node/_encoder-worker': 'src/node/_encoder-worker.ts',
      'node/_decoder-worker': 'src/node/_decoder-worker.ts',
    },
  }),
);
