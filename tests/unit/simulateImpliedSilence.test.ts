import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { presetOptions } from '../../src/simulate/scenarioPresets.ts';
import { createScenario } from '../../src/simulate/simulateScenario.ts';

const calendar = createWorkingCalendar({ closures: loadClosures() });

describe('implied SILENCE labels', () => {
  // Seed 99 (eval preset, 600 firms): a firm selling only to one buyer loses it (injected DOWNSTREAM_BROKEN); it issues
  // nothing from then on, which is SILENCE by DESIGN.md, and the detector reporting it was scored a false positive.
  const truth = createScenario(presetOptions('eval', calendar, { seed: 99 })).truth;

  it('labels the silence of a firm that lost every buyer, from the stop, as implied by that break', () => {
    const silent = truth.labels.filter((l) => l.type === 'SILENCE' && l.enterprise_tax_id === '91320509236628056E');
    expect(silent).toHaveLength(1);
    expect(silent[0]).toMatchObject({ start_day: '2020-08-28', observable_from: '2020-09-08', implied: true, cause: 'DOWNSTREAM_BROKEN of 91320509236628056E' });
  });

  it('keeps recall on the injected silences only: implied ones never replace them', () => {
    const injected = truth.labels.filter((l) => l.type === 'SILENCE' && !l.implied);
    expect(injected).toHaveLength(24);
    for (const l of injected) expect(l.cause).toBe('INJECTED');
  });
});
