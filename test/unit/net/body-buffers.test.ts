import { describe, expect, it } from '@jest/globals';
import { BodyBuffers } from '../../../src/net/index.js';

const text = (pool: BodyBuffers, chunks: readonly Buffer[]): string => {
  const c = pool.collect();
  for (const chunk of chunks) c.push(chunk);
  return c.text();
};

describe('BodyBuffers', () => {
  it('decodes UTF-8 split anywhere across chunks, growing past the initial size', () => {
    const body = `{"name":"Zoë 🦊 ${'x'.repeat(100)}","emoji":"😀"}`;
    const bytes = Buffer.from(body, 'utf8');
    const pool = new BodyBuffers({ initialBytes: 16 });
    for (let at = 1; at < bytes.length; at++) {
      expect(text(pool, [bytes.subarray(0, at), bytes.subarray(at)])).toBe(body);
    }
    // One byte per chunk: every multi-byte character is split.
    expect(
      text(
        pool,
        [...bytes].map((b) => Buffer.from([b])),
      ),
    ).toBe(body);
  });

  it('replaces invalid UTF-8 with U+FFFD, as a string decoder does', () => {
    expect(text(new BodyBuffers(), [Buffer.from([0x41, 0xff, 0x42])])).toBe('A\uFFFDB');
  });

  it('reuses a buffer for the next body without touching the strings already returned', () => {
    const pool = new BodyBuffers({ initialBytes: 64 });
    const first = text(pool, [Buffer.from('first body')]);
    expect(pool.pooled).toBe(1);
    const second = text(pool, [Buffer.from('SECOND')]);
    expect([first, second]).toEqual(['first body', 'SECOND']);
    expect(pool.pooled).toBe(1);
  });

  it('keeps at most maxPooled buffers, none grown past maxPooledBytes', () => {
    const pool = new BodyBuffers({ initialBytes: 8, maxPooled: 2, maxPooledBytes: 32 });
    const open = [pool.collect(), pool.collect(), pool.collect()];
    for (const c of open) c.push(Buffer.from('abc'));
    expect(open.map((c) => c.text())).toEqual(['abc', 'abc', 'abc']);
    expect(pool.pooled).toBe(2);
    const big = pool.collect();
    big.push(Buffer.alloc(64, 0x61));
    expect(big.text()).toBe('a'.repeat(64));
    expect(pool.pooled).toBe(1);
  });

  it('refuses a collector used after its text was taken', () => {
    const c = new BodyBuffers().collect();
    c.push(Buffer.from('x'));
    c.text();
    expect(() => c.text()).toThrow(/after text/);
    expect(() => c.push(Buffer.from('y'))).toThrow(/after text/);
  });
});
