import { isObjectType, RESERVED, SEGMENT } from './_keys';
import type { ObjectType } from './hooks';

/** What a request path addresses, relative to the handler's base path. */
export type Route =
  | { kind: 'repo'; repo: string }
  | { kind: 'config'; repo: string }
  | { kind: 'list'; repo: string; type: ObjectType }
  | { kind: 'object'; repo: string; type: ObjectType; name: string };

/** Longest path the handler looks at; longer paths are malformed. */
const MAX_PATH = 2048;
/** The only characters a valid path has: no `%`, `\`, NUL, spaces or anything else. */
const PATH_CHARS = /^[A-Za-z0-9._/-]*$/;

/**
 * Parses a request path under `basePath` (which starts and ends with `/`). Returns a string saying
 * what is wrong for anything but the strict grammar: `{repo/}config`, `{repo/}{type}/`,
 * `{repo/}{type}/{name}` and `{repo/}`, where every segment matches {@link SEGMENT} (so no `.`,
 * `..`, hidden names or percent-encoding) and no repository segment is a reserved name.
 */
export function parseRoute(path: string, basePath: string): Route | string {
  if (path.length > MAX_PATH) return 'path too long';
  if (!path.startsWith(basePath)) return 'path outside the served base path';
  const rest = path.slice(basePath.length);
  if (!PATH_CHARS.test(rest)) return 'path contains characters outside [A-Za-z0-9._/-]';
  const trailing = rest.endsWith('/');
  const segs = rest === '' ? [] : (trailing ? rest.slice(0, -1) : rest).split('/');
  if (!segs.every((s) => SEGMENT.test(s))) return 'path has an empty, dot or malformed segment';
  const route = classify(segs, trailing);
  const repoSegs = route.repo === '' ? [] : route.repo.split('/');
  if (repoSegs.some((s) => RESERVED.has(s))) return 'repository path contains a reserved name';
  return route;
}

function classify(segs: string[], trailing: boolean): Route {
  const last = segs[segs.length - 1];
  const prev = segs[segs.length - 2];
  if (isObjectType(prev) && last !== undefined && !trailing) {
    return { kind: 'object', repo: segs.slice(0, -2).join('/'), type: prev, name: last };
  }
  if (last === 'config' && !trailing) return { kind: 'config', repo: segs.slice(0, -1).join('/') };
  if (isObjectType(last)) return { kind: 'list', repo: segs.slice(0, -1).join('/'), type: last };
  return { kind: 'repo', repo: segs.join('/') };
}

/** The canonical path of a route under `basePath`; the inverse of {@link parseRoute}. */
export function formatRoute(route: Route, basePath: string): string {
  const repo = route.repo === '' ? basePath : `${basePath}${route.repo}/`;
  switch (route.kind) {
    case 'repo':
      return repo;
    case 'config':
      return `${repo}config`;
    case 'list':
      return `${repo}${route.type}/`;
    case 'object':
      return `${repo}${route.type}/${route.name}`;
  }
}

/** Normalises a base path option to start and end with `/`; rejects unsafe ones. */
export function normaliseBasePath(basePath = '/'): string {
  const p = `/${basePath.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  if (
    !PATH_CHARS.test(p) ||
    p
      .split('/')
      .slice(1, -1)
      .some((s) => !SEGMENT.test(s))
  ) {
    throw new TypeError(`invalid basePath ${JSON.stringify(basePath)}: use segments of [A-Za-z0-9._-]`);
  }
  return p;
}
