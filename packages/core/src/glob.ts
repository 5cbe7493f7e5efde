/**
 * A matcher for a shell-style pattern: `*` any run of characters within one path segment, `**`
 * any run including `/`, `?` one character other than `/`, `[abc]`, `[a-z]` and `[!a-z]` (or
 * `[^a-z]`) one character of (not of) a set, and `\` quoting the next character. A pattern
 * without `/` is matched against the last segment of a path (`*.sql` finds `db/dump.sql`, as
 * `find` does); a pattern with `/` against the whole path.
 *
 * @example
 * ```ts
 * const m = globMatcher('*.sql', { ignoreCase: true });
 * m('backups/DUMP.SQL'); // true
 * globMatcher('docs/**\/*.md')('docs/a/b/readme.md'); // true
 * ```
 */
export function globMatcher(
  pattern: string,
  options: { ignoreCase?: boolean } = {},
): (path: string) => boolean {
  if (pattern === '') throw new TypeError('an empty pattern matches nothing');
  const whole = pattern.includes('/');
  let re: RegExp;
  try {
    re = new RegExp(`^${globSource(pattern.replace(/^\/+/, ''))}$`, options.ignoreCase ? 'sui' : 'su');
  } catch (e) {
    throw new TypeError(`pattern ${JSON.stringify(pattern)} is not a valid glob (${(e as Error).message})`);
  }
  return (path) => {
    const p = path.replace(/^\/+/, '');
    return re.test(whole ? p : p.slice(p.lastIndexOf('/') + 1));
  };
}

/** The regular-expression source of a glob (see {@link globMatcher}). */
function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) out += escapeChar(glob[++i]!);
    else if (c === '*' && glob[i + 1] === '*') {
      i++;
      // `**/` also matches no directory at all: `a/**/b` matches `a/b`.
      if (glob[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else out += '.*';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = classEnd(glob, i);
      if (end < 0) out += '\\[';
      else {
        out += characterClass(glob.slice(i + 1, end));
        i = end;
      }
    } else out += escapeChar(c);
  }
  return out;
}

/** Index of the `]` closing the class opened at `start`, or -1 (then `[` is literal). */
function classEnd(glob: string, start: number): number {
  let i = start + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  if (glob[i] === ']') i++;
  for (; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === ']') return i;
  }
  return -1;
}

function characterClass(body: string): string {
  const negate = body[0] === '!' || body[0] === '^';
  let out = '';
  for (let i = negate ? 1 : 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) out += classChar(body[++i]!);
    else if (c === '-' && out !== '' && i + 1 < body.length) out += '-';
    else out += classChar(c);
  }
  return negate ? `(?!/)[^${out}]` : `[${out}]`;
}

function classChar(c: string): string {
  return /[\]\\^-]/.test(c) ? `\\${c}` : c;
}

function escapeChar(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
