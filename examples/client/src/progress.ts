import type { BackupEvent, RestoreEvent } from '@kluis/core';
import { bytes, seconds } from './format';
import type { Io } from './io';

/** What a progress line shows; totals are unknown until a scan (backup) or the snapshot gives them. */
export interface ProgressState {
  /** `backed up` or `restored`. */
  verb: string;
  files: number;
  /** Bytes processed (for a backup: files read and files found unchanged). */
  bytes: number;
  /** Bytes that were new to the repository (backup only). */
  bytesNew?: number;
  totalFiles?: number | undefined;
  totalBytes?: number | undefined;
  elapsedMs: number;
  current?: string | undefined;
}

/**
 * An ETA is shown only once the rate means something: after {@link ETA_AFTER_MS} and
 * {@link ETA_AFTER_SHARE} of the total. Before, the rate is dominated by start-up (key derivation,
 * index loading, the first pack's latency), and an estimate like `153m39s` only misleads.
 */
export const ETA_AFTER_MS = 3000;
export const ETA_AFTER_SHARE = 0.02;

/**
 * The progress line for a terminal `width` columns wide: always at most `width - 1` characters (a
 * line that fills the last column makes some terminals wrap, and the next `\r` then redraws on a
 * new line). What does not fit goes first from the current file name (shortened from its start),
 * then from the end of the line.
 */
export function renderProgress(s: ProgressState, width: number): string {
  const max = Math.max(1, width - 1);
  const share = s.totalBytes ? Math.min(1, s.bytes / s.totalBytes) : undefined;
  const parts = [`[${seconds(s.elapsedMs)}]`];
  if (share !== undefined) parts.push(`${Math.floor(share * 100)}%`);
  parts.push(`${s.files}${s.totalFiles !== undefined ? `/${s.totalFiles}` : ''} files`);
  parts.push(`${bytes(s.bytes)}${s.totalBytes !== undefined ? `/${bytes(s.totalBytes)}` : ''} ${s.verb}`);
  if (s.bytesNew !== undefined) parts.push(`${bytes(s.bytesNew)} new`);
  const eta = etaMs(s);
  if (eta !== undefined) parts.push(`ETA ${seconds(eta)}`);
  const line = parts.join(' ');
  const room = max - columns(line) - 1;
  if (s.current && room >= 8) return `${line} ${tail(s.current, room)}`;
  return columns(line) <= max ? line : `${[...line].slice(0, max - 1).join('')}…`;
}

/** The remaining time, or `undefined` while it cannot be estimated sensibly (see {@link ETA_AFTER_MS}). */
export function etaMs(s: Pick<ProgressState, 'bytes' | 'totalBytes' | 'elapsedMs'>): number | undefined {
  if (!s.totalBytes || s.bytes <= 0 || s.elapsedMs < ETA_AFTER_MS) return undefined;
  if (s.bytes / s.totalBytes < ETA_AFTER_SHARE) return undefined;
  return Math.max(0, (s.elapsedMs * (s.totalBytes - s.bytes)) / s.bytes);
}

/** Columns a string takes, counted as code points (file names in wide scripts may take more). */
function columns(s: string): number {
  return [...s].length;
}

/** The end of `s` in at most `n` columns, with `…` for what was cut from its start. */
function tail(s: string, n: number): string {
  const cps = [...s];
  return cps.length <= n ? s : `…${cps.slice(cps.length - n + 1).join('')}`;
}

/**
 * A one-line progress display on a terminal (stderr), redrawn at most 10 times a second, sized to
 * the terminal and redrawn at once when the terminal is resized.
 */
export class ProgressBar {
  #last = 0;
  #shown = false;
  #state: ProgressState | undefined;
  #processed = 0;
  #totals: { files?: number; bytes?: number } = {};
  #unsubscribe: (() => void) | undefined;

  constructor(
    readonly io: Io,
    totalBytes?: number,
  ) {
    if (totalBytes !== undefined) this.#totals.bytes = totalBytes;
    if (io.tty) this.#unsubscribe = io.onResize?.(() => this.#state && this.#render(this.#state));
  }

  /** Sets the totals once known (a backup learns them from a scan that runs alongside). */
  setTotals(files: number, totalBytes: number): void {
    this.#totals = { files, bytes: totalBytes };
  }

  backup = (e: BackupEvent): void => {
    if (e.type === 'warning') {
      this.clear();
      this.io.stderr(`warning: ${e.path ? `${e.path}: ` : ''}${e.message}\n`);
      return;
    }
    if (e.type === 'file') this.#processed += e.size;
    if (e.type !== 'progress') return;
    this.draw({
      verb: 'processed',
      files: e.filesDone,
      bytes: Math.max(this.#processed, e.bytesDone),
      bytesNew: e.bytesNew,
      totalFiles: this.#totals.files,
      totalBytes: this.#totals.bytes,
      elapsedMs: e.elapsedMs,
      current: e.current,
    });
  };

  restore = (e: RestoreEvent): void => {
    if (e.type === 'warning' || e.type === 'not-restored') {
      this.clear();
      this.io.stderr(
        e.type === 'warning' ? `warning: ${e.path}: ${e.message}\n` : `not restored: ${e.path}\n`,
      );
      return;
    }
    if (e.type !== 'progress') return;
    this.draw({
      verb: 'restored',
      files: e.filesDone,
      bytes: e.bytesDone,
      totalBytes: this.#totals.bytes,
      elapsedMs: e.elapsedMs,
    });
  };

  draw(state: ProgressState): void {
    if (!this.io.tty) return;
    this.#state = state;
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    this.#render(state);
  }

  #render(state: ProgressState): void {
    this.io.stderr(`\r\x1b[2K${renderProgress(state, this.io.columns?.() ?? 80)}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.io.stderr('\r\x1b[2K');
    this.#shown = false;
  }

  /** Clears the line and stops following the terminal's size. */
  stop(): void {
    this.clear();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#state = undefined;
  }
}
