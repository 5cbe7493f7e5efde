import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { KluisError, throwIfAborted } from '@kluis/core';
import { contentMd5 } from './_content-md5';
import { call } from './_errors';
import type { ResolvedOptions } from './options';

/** Whether create-only writes are atomic on the server (`If-None-Match: *`), learnt at most once. */
export interface ConditionalWrites {
  /** True once known to be atomic; false while unknown, so nobody relies on it too early. */
  readonly native: boolean;
  /** Whether to send `If-None-Match: *`; runs the probe on first use in `auto` mode. */
  resolve(signal?: AbortSignal): Promise<boolean>;
}

/** The conditional-write state of one transport, following `options.conditionalPut`. */
export function conditionalWrites(o: ResolvedOptions): ConditionalWrites {
  let known: boolean | undefined =
    o.conditionalPut === 'native' ? true : o.conditionalPut === 'emulate' ? false : undefined;
  let pending: Promise<boolean> | undefined;
  return {
    get native() {
      return known === true;
    },
    async resolve(signal) {
      if (known !== undefined) return known;
      // One probe for all callers, so no single caller's signal may cancel it; a failed probe is
      // forgotten and tried again by the next call.
      pending ??= probe(o).then(
        (result) => {
          known = result;
          return result;
        },
        (e: unknown) => {
          pending = undefined;
          throw e;
        },
      );
      return await untilAborted(pending, signal);
    },
  };
}

const PROBE_BODY = new TextEncoder().encode('kluis conditional write probe\n');

/**
 * Writes a probe object twice, the second time with `If-None-Match: *`. Only a 412 proves atomic
 * create-only writes: some servers answer 501, others (and Ceph radosgw 16 on versioned buckets)
 * silently overwrite. The probe's key starts with `.`, which is not a valid transport key, so
 * listings never show it; its versions are deleted afterwards.
 */
async function probe(o: ResolvedOptions): Promise<boolean> {
  const key = `${o.root}.kluis-probe-${randomHex()}`;
  const what = `s3 probe of conditional writes in ${o.bucket}`;
  const versions: (string | undefined)[] = [];
  const put = async (ifNoneMatch: boolean) => {
    const out = await call(what, undefined, (opt) =>
      o.client.send(
        new PutObjectCommand({
          Bucket: o.bucket,
          Key: key,
          Body: PROBE_BODY,
          ContentLength: PROBE_BODY.length,
          ContentMD5: contentMd5(PROBE_BODY, o.md5),
          ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        }),
        opt,
      ),
    );
    versions.push(out.VersionId);
  };
  try {
    await put(false);
    try {
      await put(true);
      return false;
    } catch (e) {
      if (KluisError.is(e, 'ALREADY_EXISTS')) return true;
      if (KluisError.is(e, 'PROTOCOL') || (KluisError.is(e, 'UNAVAILABLE') && !e.retryable)) return false;
      throw e;
    }
  } finally {
    for (const VersionId of versions.length > 0 ? versions : [undefined]) {
      await o.client
        .send(new DeleteObjectCommand({ Bucket: o.bucket, Key: key, ...(VersionId ? { VersionId } : {}) }))
        .catch(() => undefined);
    }
  }
}

function randomHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `promise`, or an `ABORTED` rejection as soon as `signal` fires (the promise itself runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new KluisError('ABORTED', 'operation aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
