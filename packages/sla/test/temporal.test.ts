import { Temporal as Polyfill } from 'temporal-polyfill';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('Temporal implementation', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('uses the polyfill when the platform has no Temporal', async () => {
    vi.stubGlobal('Temporal', undefined);
    vi.resetModules();
    const { T } = await import('../src/_temporal.ts');
    expect(T).toBe(Polyfill);
  });

  it('uses the platform’s Temporal when there is one', async () => {
    const native = { ...Polyfill, marker: 'native' };
    vi.stubGlobal('Temporal', native);
    vi.resetModules();
    const { T } = await import('../src/_temporal.ts');
    expect(T).toBe(native);
  });
});
