// Checking snapshots' trees against what they point at, for check. Internal: never re-exported.

import { hex, unhex } from '../../_bytes';
import { KluisError, throwIfAborted } from '../../errors';
import type { TreeNode } from '../format/tree';
import type { Repository } from '../repository';
import { MAX_TREE_BYTES, MAX_TREE_ENTRIES } from '../tree-claim';
import type { AffectedFile, CheckProblem } from './report';

/** Affected paths remembered per tree (for the other places it appears) and reported in total. */
const AFFECTED_PER_TREE = 10_000;
/** At most this many affected files are reported (a damaged subtree shared 2^40 times is not listed 2^40 times). */
export const MAX_AFFECTED = 100_000;

/** What a tree checker reports into. */
export interface TreeReport {
  problems: CheckProblem[];
  affected: AffectedFile[];
}

interface Frame {
  tree: string;
  /** The directory's name in its parent ('' for the root). */
  name: string;
  nodes: TreeNode[];
  next: number;
  /** Affected paths below this tree, relative to it. */
  found: string[];
  /** Entries and file bytes below this tree (as restore counts them, see measureTree). */
  entries: number;
  bytes: number;
}

/** What walking a tree found: affected paths relative to it, and what it claims. */
interface Walked {
  found: string[];
  entries: number;
  bytes: number;
}

/**
 * Walks the trees of snapshots iteratively (no depth limit but memory) and checks every node
 * against the index: a directory names a tree blob, a file names data blobs whose plaintext
 * lengths add up to its size, and every blob is indexed in an intact pack. Each tree blob is
 * walked once per check, whatever the number of places (in one or many snapshots) that name it:
 * what a tree's walk found is remembered and repeated for the other places, so a tree of 40
 * levels, each naming the level below twice (2^40 paths), costs 40 walks.
 */
export class TreeChecker {
  #walked = new Map<string, Walked>();

  constructor(
    readonly repo: Repository,
    /** Hex IDs of damaged packs, and of blobs whose index entry is wrong. */
    readonly bad: ReadonlySet<string>,
    readonly r: TreeReport,
    readonly signal?: AbortSignal,
  ) {}

  /** Checks the tree of one snapshot, reporting problems and the files they affect. */
  async snapshot(snapshot: string, root: string): Promise<void> {
    const rootProblem = this.#blobProblem(root, 'tree');
    let walked: Walked;
    if (rootProblem) {
      this.#problem('tree', root, `root tree of snapshot ${snapshot} ${rootProblem}`);
      walked = unreadable;
    } else walked = this.#walked.get(root) ?? (await this.#walk(snapshot, root));
    for (const p of walked.found) this.#affect(snapshot, p === '' ? '/' : p);
    if (walked.entries > MAX_TREE_ENTRIES || walked.bytes > MAX_TREE_BYTES)
      this.#problem(
        'tree',
        root,
        `snapshot ${snapshot} claims ${walked.entries} entries and ${walked.bytes} bytes, more than a restore accepts (${MAX_TREE_ENTRIES} entries, ${MAX_TREE_BYTES} bytes): its trees name the same subtrees over and over`,
      );
  }

  async #walk(snapshot: string, root: string): Promise<Walked> {
    const top = await this.#load(snapshot, root, '/');
    if (!top) return unreadable;
    const stack: Frame[] = [{ tree: root, name: '', nodes: top, next: 0, found: [], entries: 0, bytes: 0 }];
    const pathOf = (name: string) => [...stack.slice(1).map((f) => f.name), name].join('/');
    for (;;) {
      throwIfAborted(this.signal);
      const f = stack.at(-1)!;
      const n = f.nodes[f.next++];
      if (n === undefined) {
        stack.pop();
        const walked: Walked = { found: f.found, entries: f.entries, bytes: f.bytes }; // not the nodes
        this.#walked.set(f.tree, walked);
        const parent = stack.at(-1);
        if (!parent) return walked;
        addUnder(parent, f.name, walked);
        continue;
      }
      f.entries++;
      if (n.type === 'file') {
        f.bytes += n.size;
        if (!this.#fileOk(snapshot, f.tree, n, () => pathOf(n.name))) add(f.found, n.name);
        continue;
      }
      if (n.type !== 'dir') continue;
      const sub = n.subtree!;
      const problem = this.#blobProblem(sub, 'tree');
      if (problem) {
        if (problem !== 'damaged')
          this.#problem(
            'tree',
            sub,
            `directory ${pathOf(n.name)} in snapshot ${snapshot}: its tree ${problem}`,
          );
        add(f.found, n.name);
        continue;
      }
      const known = this.#walked.get(sub);
      if (known) {
        addUnder(f, n.name, known);
        continue;
      }
      if (stack.some((s) => s.tree === sub)) {
        this.#problem('tree', sub, `directory ${pathOf(n.name)} in snapshot ${snapshot} contains itself`);
        add(f.found, n.name);
        continue;
      }
      const nodes = await this.#load(snapshot, sub, pathOf(n.name));
      if (!nodes) {
        this.#walked.set(sub, unreadable);
        add(f.found, n.name);
        continue;
      }
      stack.push({ tree: sub, name: n.name, nodes, next: 0, found: [], entries: 0, bytes: 0 });
    }
  }

  /** Checks a file's content against the index; false when the file cannot be restored. */
  #fileOk(snapshot: string, tree: string, n: TreeNode, path: () => string): boolean {
    let sum = 0;
    for (const b of n.content!) {
      const problem = this.#blobProblem(b, 'data');
      if (problem === 'damaged') return false;
      if (problem) {
        const missing = problem === 'is not indexed';
        this.#problem(
          missing ? 'missing-blob' : 'tree',
          b,
          missing
            ? `blob of ${path()} in snapshot ${snapshot} is not indexed`
            : `file ${path()} in snapshot ${snapshot} names a blob that ${problem}`,
        );
        return false;
      }
      sum += this.repo.blobs.index.get(unhex(b))!.rawLength;
    }
    if (sum === n.size) return true;
    this.#problem(
      'tree',
      tree,
      `file ${path()} in snapshot ${snapshot} has size ${n.size} but its content holds ${sum} bytes`,
    );
    return false;
  }

  /** Why a blob named by a tree cannot be read as `type`, or undefined when it can. */
  #blobProblem(blob: string, type: 'data' | 'tree'): string | undefined {
    if (this.bad.has(blob)) return 'damaged';
    const loc = this.repo.blobs.index.get(unhex(blob));
    if (!loc) return 'is not indexed';
    if (this.bad.has(hex(loc.pack))) return 'damaged';
    if (loc.type !== type) return `is a ${loc.type} blob, not a ${type} blob`;
    return undefined;
  }

  async #load(snapshot: string, tree: string, path: string): Promise<TreeNode[] | undefined> {
    try {
      return await this.repo.loadTree(tree, this.signal);
    } catch (e) {
      if (!KluisError.is(e) || e.code === 'ABORTED') throw e;
      this.#problem('tree', tree, `snapshot ${snapshot}: ${path}: ${e.message}`);
      return undefined;
    }
  }

  #problem(kind: CheckProblem['kind'], object: string, message: string): void {
    this.r.problems.push({ kind, object, message });
  }

  #affect(snapshot: string, path: string): void {
    if (this.r.affected.length < MAX_AFFECTED) this.r.affected.push({ snapshot, path });
  }
}

function add(found: string[], path: string): void {
  if (found.length < AFFECTED_PER_TREE) found.push(path);
}

/** A tree that could not be read: itself affected, claiming nothing. */
const unreadable: Walked = { found: [''], entries: 0, bytes: 0 };

/** Adds what was found below a subtree named `name` to its parent's totals. */
function addUnder(parent: Walked, name: string, below: Walked): void {
  parent.entries += below.entries;
  parent.bytes += below.bytes;
  const found = parent.found;
  for (const p of below.found) {
    if (found.length >= AFFECTED_PER_TREE) return;
    found.push(p === '' ? name : `${name}/${p}`);
  }
}
