import { toEpochMs } from './_zone.ts';
import type { GroupKey, Version } from './types.ts';

/** A validated version with its instant resolved; `order` is its rank, 0 = newest overall. */
export interface Item {
  readonly v: Version;
  readonly ms: number;
  readonly complete: boolean;
  readonly pinned: boolean;
  readonly group: string;
}

function assertStrings(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
    throw new TypeError(`${field}: expected an array of strings`);
  }
}

function checkVersion(v: Version, i: number): number {
  const where = `versions[${i}]`;
  if (typeof v !== 'object' || v === null)
    throw new TypeError(`${where}: expected an object with id and time`);
  if (typeof v.id !== 'string' || v.id === '')
    throw new TypeError(`${where}.id: expected a non-empty string`);
  const at = `${where} (id "${v.id}")`;
  if (v.host !== undefined && typeof v.host !== 'string')
    throw new TypeError(`${at}.host: expected a string`);
  assertStrings(v.paths, `${at}.paths`);
  assertStrings(v.tags, `${at}.tags`);
  if (v.complete !== undefined && typeof v.complete !== 'boolean')
    throw new TypeError(`${at}.complete: expected a boolean`);
  if (v.pinned !== undefined && typeof v.pinned !== 'boolean')
    throw new TypeError(`${at}.pinned: expected a boolean`);
  if (v.size !== undefined && !(typeof v.size === 'number' && Number.isFinite(v.size) && v.size >= 0)) {
    throw new RangeError(`${at}.size: expected a finite number of bytes >= 0`);
  }
  return toEpochMs(v.time, `${at}.time`);
}

/** The group a version belongs to, as a stable string such as `host=nas paths=/home,/etc`. */
export function groupOf(v: Version, keys: readonly GroupKey[]): string {
  const part = (k: GroupKey): string => {
    if (k === 'host') return `host=${v.host ?? ''}`;
    const list = [...((k === 'paths' ? v.paths : v.tags) ?? [])].sort();
    return `${k}=${list.join(',')}`;
  };
  return keys.map(part).join(' ');
}

/** Newest first; equal instants are ordered by id (the smaller id counts as newer). */
export function newestFirst(a: Item, b: Item): number {
  if (a.ms !== b.ms) return b.ms - a.ms;
  return a.v.id < b.v.id ? -1 : a.v.id > b.v.id ? 1 : 0;
}

/**
 * Validates the versions (unique ids, valid instants) and splits them into groups, each sorted
 * newest first. Throws `TypeError`/`RangeError` naming the offending version.
 */
export function prepare(versions: readonly Version[], keys: readonly GroupKey[]): Map<string, Item[]> {
  if (!Array.isArray(versions)) throw new TypeError('versions: expected an array');
  const seen = new Set<string>();
  const groups = new Map<string, Item[]>();
  versions.forEach((v, i) => {
    const ms = checkVersion(v, i);
    if (seen.has(v.id)) throw new RangeError(`versions[${i}].id: "${v.id}" appears more than once`);
    seen.add(v.id);
    const group = groupOf(v, keys);
    const item: Item = { v, ms, complete: v.complete !== false, pinned: v.pinned === true, group };
    const list = groups.get(group);
    if (list === undefined) groups.set(group, [item]);
    else list.push(item);
  });
  for (const list of groups.values()) list.sort(newestFirst);
  return groups;
}
