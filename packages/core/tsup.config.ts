import { defineConfig } from 'tsup';
import { kluisBuild } from '../../tsup.shared.ts';

// Every entry shares one copy of each module (see kluisBuild), so a class from
// `@kluis/core/format` is the same class the root's `Repository` and `@kluis/core/node` use.

export default defineConfig(
  kluisBuild({
    neutral: {
      index: 'src/index.ts',
      format: 'src/format/index.ts',
      crypto: 'src/crypto/index.ts',
      testing: 'src/testing/index.ts',
    },
    node: {
      'node/index': 'src/node/index.ts',
      'node/early-key': 'src/node/early-key.ts',
      'node/_encoder-worker': 'src/node/_encoder-worker.ts',
      'node/_decoder-worker': 'src/node/_decoder-worker.ts',
    },
  }),
);
