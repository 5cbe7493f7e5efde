import type { BackupEvent, RestoreEvent } from '@kluis/core';
import { bytes, seconds } from './format';
import type { Io } from './io';

/** A one-line progress display on a terminal (stderr), redrawn at most 10 times a second. */
export class ProgressBar {
  #last = 0;
  #shown = false;
  constructor(
    readonly io: Io,
    readonly totalBytes?: number,
  ) {}

  backup = (e: BackupEvent): void => {
    if (e.type === 'warning') {
      this.clear();
      this.io.stderr(`warning: ${e.path ? `${e.path}: ` : ''}${e.message}\n`);
      return;
    }
    if (e.type !== 'progress') return;
    const rate = e.bytesDone / Math.max(0.001, e.elapsedMs / 1000);
    this.draw(
      `${e.filesDone} files, ${bytes(e.bytesDone)} read, ${bytes(e.bytesNew)} new, ${bytes(rate)}/s ${elapsedAndEta(e.elapsedMs, e.bytesDone, this.totalBytes)} ${e.current ?? ''}`,
    );
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
    this.draw(
      `${e.filesDone} files, ${bytes(e.bytesDone)} restored ${elapsedAndEta(e.elapsedMs, e.bytesDone, this.totalBytes)}`,
    );
  };

  draw(line: string): void {
    if (!this.io.tty) return;
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    const width = 100;
    this.io.stderr(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.io.stderr('\r\x1b[2K');
    this.#shown = false;
  }
}

function elapsedAndEta(elapsedMs: number, done: number, total: number | undefined): string {
  if (!total || done === 0) return `[${seconds(elapsedMs)}]`;
  const pct = Math.min(100, (100 * done) / total);
  const eta = (elapsedMs * (total - done)) / done;
  return `[${pct.toFixed(0)}% ${seconds(elapsedMs)}, ETA ${seconds(Math.max(0, eta))}]`;
}
