// Library messages say what is wrong; which command of which program helps is for the program to
// say (the kluis CLI adds its hints by error code). Checked two ways: every string in the sources
// of the published packages, and the messages of the errors a damaged repository raises.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../src/errors';
import {
  backup,
  forget,
  initRepository,
  KluisError,
  memoryTransport,
  openRepository,
  prune,
  restore,
  type Transport,
} from '../src/index';
import { memSource, memTarget, prng } from './helpers/trees';

const COMMAND =
  /\bkluis(?:-server)? (?:init|backup|restore|check|forget|prune|key (?:list|add|remove|passwd)|snapshots|ls|find|dump|tag|diff|stats|config|demo|serve|accounts?|grants?|log|maintenance)\b/;

/** The string and template literals of a TypeScript file (comments are not literals). */
function literals(file: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    )
      out.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

async function oneSnapshot(t: Transport = memoryTransport()) {
  const repo = await initRepository(t, { password: 'pw', scrypt: { N: 1024, r: 8, p: 1 } });
  const { id } = await backup(repo, memSource({ a: { 'x.bin': prng(50_000, 1), 'y.txt': prng(100, 2) } }));
  return { t, repo, id };
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('expected an error'),
    (e: unknown) => e as KluisError,
  );

describe('library messages name no CLI command', () => {
  it('no string in the published packages does', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const found: string[] = [];
    for (const pkg of readdirSync(root)) {
      for (const file of sources(join(root, pkg, 'src')))
        for (const { line, text } of literals(file))
          if (COMMAND.test(text)) found.push(`${file.slice(root.length)}:${line}: ${text}`);
    }
    expect(found).toEqual([]);
  });

  it('the errors of a damaged repository say what is wrong, typed, without a command', async () => {
    const errors: KluisError[] = [];
    // No repository, a wrong password.
    errors.push(await caught(openRepository(memoryTransport(), { password: 'pw' })));
    const { t, id } = await oneSnapshot();
    errors.push(await caught(openRepository(t, { password: 'wrong' })));
    // A snapshot ID that is not there.
    const repo = await openRepository(t, { password: 'pw' });
    errors.push(await caught(forget(repo, { ids: ['abcdef12'] })));
    // More entries than the caller allows.
    errors.push(await caught(restore(repo, id, memTarget().target, { maxEntries: 1 })));
    // The index lost: restore finds no blob, prune no tree.
    for await (const o of t.list('index/')) await t.delete(o.key);
    const lost = await openRepository(t, { password: 'pw' });
    errors.push(await caught(restore(lost, id, memTarget().target)));
    errors.push(await caught(prune(lost)));
    // A damaged snapshot file: listing all snapshots names it, with its key.
    const other = await oneSnapshot();
    await other.t.put(`snapshots/${other.id}`, new Uint8Array(200).fill(7));
    const damaged = await caught((await openRepository(other.t, { password: 'pw' })).snapshots.list());
    errors.push(damaged);
    expect(damaged).toBeInstanceOf(IntegrityError);
    expect((damaged as IntegrityError).key).toBe(`snapshots/${other.id}`);
    errors.push(new IntegrityError('data/ab12', 'ab12', 'ff00'));

    expect(errors.map((e) => KluisError.is(e) && e.code)).toEqual([
      'NOT_FOUND',
      'WRONG_PASSWORD',
      'NOT_FOUND',
      'INVALID_DATA',
      'NOT_FOUND',
      'INTEGRITY',
      'INTEGRITY',
      'INTEGRITY',
    ]);
    for (const e of errors) {
      expect(e.message).not.toMatch(COMMAND);
      expect(e.message).not.toMatch(/\brun `/);
    }
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^no kluis repository at /),
      expect.stringMatching(/^wrong password: none of the 1 key slot\(s\) opens with it$/),
      'no snapshot abcdef12',
      expect.stringMatching(/^snapshot claims more than 1 entries/),
      expect.stringMatching(/is not in the index$/),
      expect.stringMatching(/references missing tree [0-9a-f]{64}: nothing is pruned while data is missing$/),
      expect.stringMatching(new RegExp(`^snapshots/${other.id} is damaged \\(`)),
      'integrity check failed for data/ab12: expected ab12, got ff00',
    ]);
  });
});
