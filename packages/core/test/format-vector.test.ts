import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeConfig } from '../src/format/index';
import { check, memoryTransport, openRepository, restore } from '../src/index';
import { memTarget } from './helpers/trees';

const vector = JSON.parse(readFileSync(new URL('./vectors/repository-v1.json', import.meta.url), 'utf8')) as {
  password: string;
  files: Record<string, string>;
  objects: Record<string, string>;
};

async function load() {
  const t = memoryTransport();
  for (const [key, b64] of Object.entries(vector.objects))
    await t.put(key, new Uint8Array(Buffer.from(b64, 'base64')));
  return t;
}

describe('repository format v1 test vector', () => {
  it('names every object except config by the SHA-256 of its bytes', async () => {
    const { createHash } = await import('node:crypto');
    for (const [key, b64] of Object.entries(vector.objects)) {
      if (key === 'config') continue;
      expect(key.split('/')[1]).toBe(createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex'));
    }
  });

  it('has a plaintext version-1 config', () => {
    const config = decodeConfig(new Uint8Array(Buffer.from(vector.objects.config!, 'base64')));
    expect(config.version).toBe(1);
    expect(config.aead).toBe('xchacha20-poly1305');
  });

  it('opens with its password, checks clean and restores the known files', async () => {
    const repo = await openRepository(await load(), { password: vector.password });
    expect((await check(repo, { readData: true })).ok).toBe(true);
    const { target, root } = memTarget();
    await restore(repo, 'latest', target, { verify: true });
    for (const [path, text] of Object.entries(vector.files)) {
      const bytes = path
        .split('/')
        .reduce<unknown>((d, n) => (d as Record<string, unknown>)[n], root) as Uint8Array;
      expect(new TextDecoder().decode(bytes)).toBe(text);
    }
  });

  it('refuses the wrong password', async () => {
    await expect(openRepository(await load(), { password: 'not it' })).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
    });
  });
});
