// The repository's view of the crypto layer: one object holding the provider and the subkeys,
// with the associated-data strings of the format. Internal.

import { concat, utf8 } from '../../_bytes';
import { portableSha256Stream } from '../../crypto/portable';
import type { CryptoProvider, Sha256Stream } from '../../crypto/provider';
import { open as openSealed, seal as sealPlain } from '../../crypto/seal';
import { IntegrityError, KluisError } from '../../errors';
import type { BlobType } from './layout';

/** Associated data for every sealed object kind; binding the kind stops swapping objects between roles. */
export const AAD = {
  packHeader: utf8('kluis/v1/pack-header'),
  index: utf8('kluis/v1/index'),
  snapshot: utf8('kluis/v1/snapshot'),
  lock: utf8('kluis/v1/lock'),
  blob(type: BlobType, id: Uint8Array): Uint8Array {
    return concat([type === 'tree' ? BLOB_TREE : BLOB_DATA, id]);
  },
} as const;
const BLOB_DATA = utf8('kluis/v1/blob/data/');
const BLOB_TREE = utf8('kluis/v1/blob/tree/');

export interface Sealer {
  readonly provider: CryptoProvider;
  seal(plain: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Opens sealed bytes; a failed tag is an IntegrityError naming `where`. */
  open(sealed: Uint8Array, aad: Uint8Array, where: string): Uint8Array;
  blobId(plain: Uint8Array): Uint8Array;
  sha256(bytes: Uint8Array): Uint8Array;
  /** An incremental SHA-256: the provider's, or noble's when it has none. */
  sha256Stream(): Sha256Stream;
}

export function createSealer(
  provider: CryptoProvider,
  keys: { encryption: Uint8Array; id: Uint8Array },
): Sealer {
  return {
    provider,
    seal: (plain, aad) => sealPlain(provider, keys.encryption, plain, aad),
    open(sealed, aad, where) {
      try {
        return openSealed(provider, keys.encryption, sealed, aad);
      } catch (e) {
        if (KluisError.is(e, 'INTEGRITY'))
          throw new IntegrityError(where, 'authentic ciphertext', 'authentication failure');
        throw e;
      }
    },
    blobId: (plain) => provider.hmacSha256(keys.id, plain),
    sha256: (bytes) => provider.sha256(bytes),
    sha256Stream: () => provider.sha256Stream?.() ?? portableSha256Stream(),
  };
}
