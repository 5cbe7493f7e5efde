import type { Item } from './_prepare.ts';
import type { CapacityReport, DropReason } from './result-types.ts';
import type { Version } from './types.ts';

/** Returns a version's unique size from the estimator or `size`, or throws naming the version. */
export function sizeGetter(sizeOf: ((v: Version) => number) | undefined): (item: Item) => number {
  return (item) => {
    const size = sizeOf === undefined ? item.v.size : sizeOf(item.v);
    if (size === undefined) {
      throw new TypeError(
        `version "${item.v.id}": size is missing (set size on every version, or pass sizeOf, when a capacity is given)`,
      );
    }
    if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) {
      throw new RangeError(
        `version "${item.v.id}": size ${String(size)} is not a finite number of bytes >= 0`,
      );
    }
    return size;
  };
}

/** The versions capacity trimming may never drop: pinned, and the newest (complete) of each group. */
export function capacityProtected(groups: Iterable<readonly Item[]>): Set<Item> {
  const out = new Set<Item>();
  for (const items of groups) {
    const newest = items[0];
    const newestComplete = items.find((i) => i.complete);
    if (newest !== undefined) out.add(newest);
    if (newestComplete !== undefined) out.add(newestComplete);
    for (const i of items) if (i.pinned) out.add(i);
  }
  return out;
}

/**
 * Drops kept versions, oldest first, until the kept bytes fit `capacity`. Mutates `kept` and
 * returns the capacity reasons for each version it drops, plus the report.
 */
export function fitCapacity(
  all: readonly Item[],
  kept: Set<Item>,
  protectedItems: ReadonlySet<Item>,
  capacity: number,
  size: (item: Item) => number,
): { reasons: Map<Item, DropReason>; report: CapacityReport } {
  let keptBytes = 0;
  let policyFreedBytes = 0;
  for (const item of all) {
    if (kept.has(item)) keptBytes += size(item);
    else policyFreedBytes += size(item);
  }
  const reasons = new Map<Item, DropReason>();
  let capacityFreedBytes = 0;
  // `all` is newest first, so walking it backwards visits the oldest first.
  for (let i = all.length - 1; i >= 0 && keptBytes > capacity; i--) {
    const item = all[i] as Item;
    if (!kept.has(item) || protectedItems.has(item)) continue;
    const bytes = size(item);
    kept.delete(item);
    keptBytes -= bytes;
    capacityFreedBytes += bytes;
    reasons.set(item, {
      rule: 'capacity',
      kind: 'capacity',
      text: `the policy keeps it, but it was dropped (oldest first) to fit the capacity of ${capacity} bytes`,
    });
  }
  const beyondPolicy = [...reasons.keys()].map((i) => i.v.id);
  return {
    reasons,
    report: {
      capacity,
      keptBytes,
      policyFreedBytes,
      capacityFreedBytes,
      beyondPolicy,
      fits: keptBytes <= capacity,
    },
  };
}
