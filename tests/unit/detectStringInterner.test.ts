import { describe, expect, it } from 'vitest';
import { StringInterner } from '../../pipelines/detect/stringInterner.ts';

describe('StringInterner', () => {
  it('keeps one entry per distinct value and returns an equal string', () => {
    const strings = new StringInterner();
    const a = strings.intern(['91330421', 'MA2B000001'].join(''));
    const b = strings.intern(['91330421MA2B', '000001'].join(''));
    expect(a).toBe('91330421MA2B000001');
    expect(b).toBe(a);
    expect(strings.size).toBe(1);
  });

  it('forgets a string not asked for during a whole generation, and keeps one that was', () => {
    const strings = new StringInterner();
    strings.intern('quiet');
    strings.intern('busy');
    strings.rotate();
    strings.intern('busy');
    strings.rotate();
    expect(strings.size).toBe(1);
    expect(strings.intern('busy')).toBe('busy');
    expect(strings.size).toBe(2);
  });
});
