import { hex, unhex } from '../../_bytes';
import type { IndexPack } from '../format/index-file';

type Blob = IndexPack['blobs'][number];

/** What prune knows before it decides: every indexed pack, what storage holds, what is in use. */
export interface PruneInput {
  /** Every pack the loaded index files list (hex → pack with all its blobs). */
  packs: Map<string, IndexPack>;
  /** Sizes of the packs storage holds (hex → bytes). */
  sizes: Map<string, number>;
  /** Packs marked by an earlier prune (hex → mark time, ms). */
  garbage: Map<string, number>;
  /** IDs (hex) of the blobs some snapshot references. */
  used: Set<string>;
  now: number;
  graceMs: number;
  /** The share of the stored bytes that may stay unused (0–1); beyond it, packs are repacked. */
  maxUnused: number;
  /** Bytes of packs one run may repack (read and rewrite). */
  maxRepackBytes: number;
}

/** A pack to rewrite: the live blobs to copy from it (those no kept pack holds). */
export interface RepackJob {
  key: string;
  size: number;
  copy: Blob[];
}

/** What prune will do; every decision is made here, before anything is written. */
export interface PrunePlan {
  /** Packs that stay in use, unmarked, with their blobs. */
  keep: IndexPack[];
  /** Packs that are (or stay) marked, with their blobs and mark time. */
  marked: { pack: IndexPack; markedAt: number }[];
  /** Packs to delete now, with their original mark time and size. */
  remove: { key: string; markedAt: number; size: number }[];
  /** Packs to rewrite now (they are marked once their live blobs are copied). */
  repack: RepackJob[];
  /** Packs marked by this run (unreferenced, or being repacked). */
  newlyMarked: string[];
  /** Marked packs that hold a referenced blob no other pack holds, and so are unmarked. */
  unmarked: string[];
}

/**
 * Decides what a prune does. A marked pack is deleted once its grace period has passed and every
 * referenced blob in it is also held by a pack that stays unmarked; a marked pack holding a
 * referenced blob found nowhere else (a backup running during the previous prune started to use
 * it) is unmarked, and may be repacked again. An unmarked pack with no referenced blob is marked;
 * one whose unused share exceeds `maxUnused` is repacked: its referenced blobs are copied into new
 * packs and it is marked, to be deleted after the grace period like any other.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const { packs, sizes, garbage, used, now, graceMs } = input;
  const plan: PrunePlan = { keep: [], marked: [], remove: [], repack: [], newlyMarked: [], unmarked: [] };
  const unmarked: IndexPack[] = [];
  const stillMarked: { key: string; pack: IndexPack; markedAt: number }[] = [];
  for (const [key, pack] of packs) {
    if (!sizes.has(key) && garbage.has(key)) continue; // marked and already gone
    const markedAt = garbage.get(key);
    if (markedAt === undefined) unmarked.push(pack);
    else stillMarked.push({ key, pack, markedAt });
  }
  // Blobs held by packs that stay unmarked; a marked pack whose live blobs are not all among them
  // is unmarked (and its blobs join them).
  const held = new Set<string>();
  const hold = (p: IndexPack) => {
    for (const b of p.blobs) held.add(hex(b.id));
  };
  for (const p of unmarked) hold(p);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = stillMarked.length - 1; i >= 0; i--) {
      const m = stillMarked[i]!;
      if (m.pack.blobs.some((b) => used.has(hex(b.id)) && !held.has(hex(b.id)))) {
        stillMarked.splice(i, 1);
        unmarked.push(m.pack);
        plan.unmarked.push(m.key);
        hold(m.pack);
        changed = true;
      }
    }
  }
  for (const m of stillMarked) {
    const size = sizes.get(m.key);
    if (size !== undefined && now - m.markedAt >= graceMs) {
      plan.remove.push({ key: m.key, markedAt: m.markedAt, size });
      // Listed without its blobs until it is gone: a prune killed before deleting it leaves it
      // marked, and the next prune deletes it instead of marking it afresh.
      plan.marked.push({ pack: { id: m.pack.id, blobs: [] }, markedAt: m.markedAt });
    } else plan.marked.push({ pack: m.pack, markedAt: m.markedAt });
  }
  chooseRepacks(input, unmarked, plan);
  orphans(input, plan);
  return plan;
}

/** Marks unmarked packs with no live blob; repacks the most wasteful ones within the budget. */
function chooseRepacks(input: PruneInput, unmarked: IndexPack[], plan: PrunePlan): void {
  const { sizes, used, now } = input;
  const candidates: { pack: IndexPack; key: string; size: number; unused: number }[] = [];
  for (const pack of unmarked) {
    const key = hex(pack.id);
    const size = sizes.get(key);
    // Unused: the bytes of unreferenced blobs (the header is the price of any pack, not waste).
    let unused = 0;
    for (const b of pack.blobs) if (!used.has(hex(b.id))) unused += b.length;
    const allUnused = pack.blobs.every((b) => !used.has(hex(b.id)));
    if (allUnused && pack.blobs.length > 0 && size !== undefined) {
      plan.marked.push({ pack, markedAt: now });
      plan.newlyMarked.push(key);
    } else if (size !== undefined && size > 0 && unused > 0) {
      candidates.push({ pack, key, size, unused });
    } else plan.keep.push(pack); // fully used, or indexed but missing (check reports it)
  }
  // As restic does: the repository may keep `maxUnused` of its bytes unused; beyond that, the
  // packs with the largest unused share are repacked first (the most space per byte copied).
  let stored = 0;
  let unusedBytes = 0;
  for (const p of plan.keep) stored += sizes.get(hex(p.id)) ?? 0;
  for (const c of candidates) {
    stored += c.size;
    unusedBytes += c.unused;
  }
  candidates.sort((a, b) => b.unused / b.size - a.unused / a.size);
  let budget = input.maxRepackBytes;
  const chosen: typeof candidates = [];
  for (const c of candidates) {
    if (unusedBytes > input.maxUnused * stored && c.size <= budget) {
      chosen.push(c);
      budget -= c.size;
      unusedBytes -= c.unused;
      stored -= c.unused;
    } else plan.keep.push(c.pack);
  }
  // Blobs the kept packs hold need no copy; a blob is copied once, whatever number of packs hold it.
  const held = new Set<string>();
  for (const p of plan.keep) for (const b of p.blobs) held.add(hex(b.id));
  for (const c of chosen) {
    const copy: IndexPack['blobs'] = [];
    for (const b of c.pack.blobs) {
      const id = hex(b.id);
      if (!used.has(id) || held.has(id)) continue;
      held.add(id);
      copy.push(b);
    }
    plan.repack.push({ key: c.key, size: c.size, copy });
    plan.marked.push({ pack: c.pack, markedAt: now });
    plan.newlyMarked.push(c.key);
  }
}

/**
 * Packs no index lists (an interrupted backup's or repack's, or one a backup is still writing):
 * marked, and deleted after the grace period; if a backup indexes one meanwhile, the next prune
 * finds it listed and judges it like any other.
 */
function orphans(input: PruneInput, plan: PrunePlan): void {
  const { packs, sizes, garbage, now, graceMs } = input;
  for (const [key, size] of sizes) {
    if (packs.has(key)) continue;
    const markedAt = garbage.get(key);
    const pack = { id: unhex(key), blobs: [] };
    if (markedAt !== undefined && now - markedAt >= graceMs) {
      plan.remove.push({ key, markedAt, size });
      plan.marked.push({ pack, markedAt });
    } else {
      plan.marked.push({ pack, markedAt: markedAt ?? now });
      if (markedAt === undefined) plan.newlyMarked.push(key);
    }
  }
}
