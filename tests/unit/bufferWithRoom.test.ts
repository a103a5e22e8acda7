import { describe, expect, it } from 'vitest';
import { bufferWithRoom } from '../../src/runtime/bufferWithRoom.ts';

describe('bufferWithRoom', () => {
  it('keeps the buffer while the bytes fit, and otherwise doubles it with the written bytes copied', () => {
    const buf = Buffer.from('abcdefgh');
    expect(bufferWithRoom(buf, 5, 3)).toBe(buf);
    const grown = bufferWithRoom(buf, 5, 4);
    expect(grown.length).toBe(16);
    expect(grown.subarray(0, 5).toString()).toBe('abcde');
    expect(bufferWithRoom(buf, 8, 100).length).toBe(128);
  });

  it('grows an empty buffer too', () => {
    expect(bufferWithRoom(Buffer.alloc(0), 0, 3).length).toBeGreaterThanOrEqual(3);
  });
});
