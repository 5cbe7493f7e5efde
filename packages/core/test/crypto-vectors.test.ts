import { chacha20poly1305, hchacha } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/crypto/hex';
import { portableCrypto } from '../src/crypto/portable';
import { nativeCrypto } from '../src/node/crypto';
import { chachaPolyOpen, chachaPolySealInto, hchachaSubkey } from '../src/node/crypto-xchacha';
import chacha from './vectors/chacha.json' with { type: 'json' };
import hkdf from './vectors/hkdf.json' with { type: 'json' };
import hmac from './vectors/hmac.json' with { type: 'json' };
import scrypt from './vectors/scrypt.json' with { type: 'json' };
import sha256 from './vectors/sha256.json' with { type: 'json' };
import xchacha from './vectors/xchacha.json' with { type: 'json' };

const providers = [portableCrypto, nativeCrypto];

describe.each(providers)('$name provider: published known-answer vectors', (crypto) => {
  it.each(sha256.cases)('SHA-256 $name', (c) => {
    expect(toHex(crypto.sha256(fromHex(c.data)))).toBe(c.digest);
  });

  it.each(hmac.cases)('HMAC-SHA-256 RFC 4231 $name', (c) => {
    const mac = crypto.hmacSha256(fromHex(c.key), fromHex(c.data));
    expect(mac.length).toBe(32);
    expect(toHex(mac.subarray(0, c.truncate ?? 32))).toBe(c.mac);
  });

  it.each(hkdf.cases)('HKDF-SHA-256 RFC 5869 $name', (c) => {
    const okm = crypto.hkdfSha256(fromHex(c.ikm), fromHex(c.salt), fromHex(c.info), c.length);
    expect(toHex(okm)).toBe(c.okm);
  });

  it.each(scrypt.cases)('scrypt RFC 7914 $name', async (c) => {
    const params = { N: c.N, r: c.r, p: c.p, dkLen: c.dkLen };
    const key = await crypto.scrypt(fromHex(c.password), fromHex(c.salt), params);
    expect(toHex(key)).toBe(c.key);
  });

  it.each(xchacha.aead)('XChaCha20-Poly1305 $name', (c) => {
    const [key, nonce, aad, plaintext] = [
      fromHex(c.key),
      fromHex(c.nonce),
      fromHex(c.aad),
      fromHex(c.plaintext),
    ];
    const sealed = crypto.xchachaSeal(key, nonce, plaintext, aad);
    expect(toHex(sealed)).toBe(c.ciphertext + c.tag);
    expect(toHex(crypto.xchachaOpen(key, nonce, sealed, aad))).toBe(c.plaintext);
    const into = new Uint8Array(plaintext.length + 16);
    crypto.xchachaSealInto(key, nonce, plaintext, aad, into);
    expect(toHex(into)).toBe(c.ciphertext + c.tag);
    expect(toHex(crypto.xchachaSealBox(key, nonce, plaintext, aad))).toBe(c.nonce + c.ciphertext + c.tag);
  });
});

describe('building blocks of the native XChaCha20-Poly1305', () => {
  it.each(xchacha.hchacha20)('HChaCha20 $name (native helper)', (c) => {
    expect(toHex(hchachaSubkey(fromHex(c.key), fromHex(c.input)))).toBe(c.subkey);
  });

  it.each(xchacha.hchacha20)('HChaCha20 $name (noble, the portable path)', (c) => {
    const out = new Uint32Array(8);
    const sigma = new Uint32Array(new TextEncoder().encode('expand 32-byte k').buffer);
    hchacha(sigma, new Uint32Array(fromHex(c.key).buffer), new Uint32Array(fromHex(c.input).buffer), out);
    expect(toHex(new Uint8Array(out.buffer))).toBe(c.subkey);
  });

  it.each(chacha.aead)('ChaCha20-Poly1305 RFC 8439 $name (OpenSSL and noble)', (c) => {
    const [key, nonce, aad, plaintext] = [
      fromHex(c.key),
      fromHex(c.nonce),
      fromHex(c.aad),
      fromHex(c.plaintext),
    ];
    const native = new Uint8Array(plaintext.length + 16);
    chachaPolySealInto(key, nonce, plaintext, aad, native);
    expect(toHex(native)).toBe(c.ciphertext + c.tag);
    expect(toHex(chachaPolyOpen(key, nonce, native, aad))).toBe(c.plaintext);
    expect(toHex(chacha20poly1305(key, nonce, aad).encrypt(plaintext))).toBe(c.ciphertext + c.tag);
  });

  it('an unaligned key or nonce (a view at an odd offset) gives the same subkey', () => {
    const c = xchacha.hchacha20[0]!;
    const backing = new Uint8Array(1 + 32 + 16);
    backing.set(fromHex(c.key), 1);
    backing.set(fromHex(c.input), 33);
    expect(toHex(hchachaSubkey(backing.subarray(1, 33), backing.subarray(33)))).toBe(c.subkey);
  });
});
