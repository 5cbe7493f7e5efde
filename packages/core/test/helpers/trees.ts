import type { BackupSource, RestoreTarget, SourceEntry, TreeNode } from '../../src/index';

/** An in-memory file tree for engine tests: a dir maps names to children, a file is its bytes. */
export type MemTree = { [name: string]: MemTree | Uint8Array | { link: string } };

/** A BackupSource over a MemTree; `mtime` of every entry is fixed so incremental runs can skip files. */
export function memSource(
  root: MemTree,
  opts: { mtime?: number; failRead?: Set<string> } = {},
): BackupSource {
  const at = (path: readonly string[]): MemTree | Uint8Array | { link: string } => {
    let cur: MemTree | Uint8Array | { link: string } = root;
    for (const n of path) cur = (cur as MemTree)[n]!;
    return cur;
  };
  const entry = (name: string, v: MemTree | Uint8Array | { link: string }): SourceEntry => {
    const base = { name, mode: 0o644, mtime: opts.mtime ?? 1_700_000_000_000, ctime: 1, inode: 1 };
    if (v instanceof Uint8Array) return { ...base, type: 'file', size: v.length };
    if ('link' in v && typeof v.link === 'string')
      return { ...base, type: 'symlink', size: 0, target: v.link };
    return { ...base, type: 'dir', mode: 0o755, size: 0 };
  };
  return {
    paths: Object.keys(root),
    async roots() {
      return Object.keys(root)
        .sort()
        .map((n) => entry(n, root[n]!));
    },
    async list(path) {
      const d = at(path) as MemTree;
      return Object.keys(d)
        .sort()
        .map((n) => entry(n, d[n]!));
    },
    async *read(path) {
      if (opts.failRead?.has(path.join('/'))) throw new Error('EACCES: permission denied');
      const b = at(path) as Uint8Array;
      for (let i = 0; i < b.length; i += 65536) yield b.subarray(i, i + 65536);
    },
  };
}

/** A RestoreTarget collecting into a MemTree. */
export function memTarget(): { target: RestoreTarget; root: MemTree; nodes: Map<string, TreeNode> } {
  const root: MemTree = {};
  const nodes = new Map<string, TreeNode>();
  const parent = (path: readonly string[]) => {
    let cur = root;
    for (const n of path.slice(0, -1)) cur = cur[n] as MemTree;
    return cur;
  };
  const target: RestoreTarget = {
    async dir(path) {
      parent(path)[path.at(-1)!] ??= {};
    },
    async file(path, node, chunks) {
      const parts: Uint8Array[] = [];
      for await (const c of chunks) parts.push(c.slice());
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      parent(path)[path.at(-1)!] = out;
      nodes.set(path.join('/'), node);
    },
    async symlink(path, node) {
      parent(path)[path.at(-1)!] = { link: node.target! };
    },
    async *read(path) {
      let cur: MemTree | Uint8Array | { link: string } = root;
      for (const n of path) cur = (cur as MemTree)[n]!;
      yield cur as Uint8Array;
    },
  };
  return { target, root, nodes };
}

/** Deterministic pseudo-random bytes (xorshift32), for reproducible test data. */
export function prng(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
