import { describe, expect, it } from 'vitest';
import { USCC_ALPHABET, checkUscc, isValidUscc, makeUscc, usccCheckCharacter, usccDivisionCode } from '../../src/domain/uscc.ts';

describe('USCC check character', () => {
  it('accepts codes built by makeUscc for each zone district', () => {
    for (const division of ['310118', '330421', '320509']) {
      const code = makeUscc(division, 'MA1FL1MM2');
      expect(code).toHaveLength(18);
      expect(isValidUscc(code)).toBe(true);
      expect(usccDivisionCode(code)).toBe(division);
    }
  });

  it('computes the check character of a real published code', () => {
    // Alibaba (China) Co., Ltd.: 91330100716105852F — a widely published USCC.
    expect(usccCheckCharacter('91330100716105852')).toBe('F');
    expect(isValidUscc('91330100716105852F')).toBe(true);
  });

  it('rejects every wrong check character', () => {
    const valid = makeUscc('330421', 'MA28A5YX1');
    const right = valid[17]!;
    for (const ch of USCC_ALPHABET) {
      if (ch === right) continue;
      const result = checkUscc(valid.slice(0, 17) + ch);
      expect(result).toEqual({ kind: 'wrong_check_character', expected: right, actual: ch });
    }
  });

  it('rejects the letters I, O, S, V and Z and lower case', () => {
    const valid = makeUscc('310118', 'MA1FL1MM2');
    for (const bad of ['I', 'O', 'S', 'V', 'Z', 'a']) {
      const code = valid.slice(0, 10) + bad + valid.slice(11);
      expect(checkUscc(code)).toEqual({ kind: 'illegal_character', position: 11, character: bad });
    }
  });

  it('names the first illegal character, the check position and characters beyond ASCII included', () => {
    const valid = makeUscc('320509', 'MA1XY4123');
    expect(checkUscc(valid.slice(0, 17) + 'I')).toEqual({ kind: 'illegal_character', position: 18, character: 'I' });
    expect(checkUscc(`中${valid.slice(1)}`)).toEqual({ kind: 'illegal_character', position: 1, character: '中' });
    expect(checkUscc(`${valid.slice(0, 3)}Ａ${valid.slice(4, 9)}o${valid.slice(10)}`)).toEqual({ kind: 'illegal_character', position: 4, character: 'Ａ' });
    expect(() => usccCheckCharacter(`${valid.slice(0, 16)}ÿ`)).toThrow(/position 17/);
  });

  it('rejects wrong lengths', () => {
    expect(checkUscc('')).toEqual({ kind: 'wrong_length', length: 0 });
    expect(checkUscc('91310000MA1FL1MM2')).toEqual({ kind: 'wrong_length', length: 17 });
    expect(checkUscc('91310000MA1FL1MM2AA')).toEqual({ kind: 'wrong_length', length: 19 });
  });

  it('maps 31 to 0: some body has check character 0', () => {
    // Search the space for a body whose weighted sum is ≡ 0 (mod 31): its check character must be '0'.
    const body = '9131011800000000';
    const withZero = USCC_ALPHABET.split('').map((c) => body + c).find((b) => usccCheckCharacter(b) === '0');
    expect(withZero).toBeDefined();
  });
});
