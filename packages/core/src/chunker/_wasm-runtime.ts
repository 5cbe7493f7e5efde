import type { CutBackend, WindowedChunker } from './_window';
import type { ResolvedOptions } from './options';

/** The exports of fastcdc.wasm (see assembly/fastcdc.ts). */
export interface FastcdcExports {
  memory: WebAssembly.Memory;
  gearTable(): number;
  windowBase(): number;
  configure(sHi: number, sLo: number, lHi: number, lLo: number): void;
  cut(ptr: number, length: number, minSize: number, avgSize: number, maxSize: number): number;
}

/** A window region in the module's memory, lent to one chunker at a time. */
interface Slot {
  readonly base: number;
  readonly capacity: number;
  owner: WindowedChunker | undefined;
  lastUse: number;
  view: Uint8Array;
}

const PAGE = 65536;

/**
 * Windows kept in the module's memory at once. Streams chunked concurrently (a few files at a
 * time) each keep their own window, so switching between them copies nothing; past this many
 * active streams, the least recently used one has its unfinished tail (< maxSize) moved out to
 * JavaScript and back when it resumes. Memory stays bounded: at most this many windows of the
 * largest capacity in use (more only if a larger chunker arrives when all are taken).
 */
const MAX_SLOTS = 6;

/** One module instance shared by all chunkers of a factory. */
export class WasmRuntime implements CutBackend {
  private readonly slots: Slot[] = [];
  private readonly slotOf = new Map<WindowedChunker, Slot>();
  private loaded: WindowedChunker | undefined;
  private current: Slot | undefined;
  private top: number;
  private clock = 0;

  constructor(private readonly x: FastcdcExports) {
    this.top = x.windowBase() >>> 0;
  }

  claim(owner: WindowedChunker): Uint8Array {
    const slot = this.slotOf.get(owner) ?? this.assign(owner);
    slot.lastUse = ++this.clock;
    if (this.loaded !== owner) this.load(owner);
    this.current = slot;
    // memory.grow detaches earlier buffers: refresh the view when that happened.
    if (slot.view.buffer !== this.x.memory.buffer) slot.view = this.view(slot.base, slot.capacity);
    return slot.view;
  }

  release(owner: WindowedChunker): void {
    const slot = this.slotOf.get(owner);
    if (slot === undefined) return;
    slot.owner = undefined;
    this.slotOf.delete(owner);
  }

  cut(start: number, length: number): number {
    const o = this.loaded!.options;
    return this.x.cut(this.current!.base + start, length, o.minSize, o.avgSize, o.maxSize);
  }

  private assign(owner: WindowedChunker): Slot {
    const fits = this.slots.filter((s) => s.capacity >= owner.capacity);
    let slot = fits.find((s) => s.owner === undefined);
    if (slot === undefined && this.slots.length >= MAX_SLOTS && fits.length > 0) {
      slot = fits.reduce((a, b) => (b.lastUse < a.lastUse ? b : a));
      const previous = slot.owner!;
      previous.evict(this.refreshed(slot));
      this.slotOf.delete(previous);
    }
    slot ??= this.allocate(owner.capacity);
    slot.owner = owner;
    this.slotOf.set(owner, slot);
    return slot;
  }

  private allocate(capacity: number): Slot {
    const base = this.top;
    this.top = base + capacity;
    const have = this.x.memory.buffer.byteLength;
    if (this.top > have) this.x.memory.grow(Math.ceil((this.top - have) / PAGE));
    const slot: Slot = { base, capacity, owner: undefined, lastUse: 0, view: this.view(base, capacity) };
    this.slots.push(slot);
    return slot;
  }

  private refreshed(slot: Slot): Uint8Array {
    if (slot.view.buffer !== this.x.memory.buffer) slot.view = this.view(slot.base, slot.capacity);
    return slot.view;
  }

  private view(base: number, capacity: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, base, capacity);
  }

  /** Writes the owner's gear table and masks into the module (one set is loaded at a time). */
  private load(owner: WindowedChunker): void {
    const o: ResolvedOptions = owner.options;
    // The module's table is little-endian u64: low word first.
    const words = new Uint32Array(this.x.memory.buffer, this.x.gearTable() >>> 0, 512);
    for (let i = 0; i < 256; i++) {
      words[2 * i] = o.gear[2 * i + 1]!;
      words[2 * i + 1] = o.gear[2 * i]!;
    }
    this.x.configure(o.masks[0], o.masks[1], o.masks[2], o.masks[3]);
    this.loaded = owner;
  }
}
