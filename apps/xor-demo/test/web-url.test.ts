// The page's state in its URL: a prepared view round-trips through the fragment; junk is ignored.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET } from '../src/lab/config.ts';
import { formFromConfig } from '../src/web/settings.ts';
import { decodeState, DEFAULT_VIEW, encodeState } from '../src/web/url.ts';

const defaults = formFromConfig(LAB_PRESET);

describe('the URL state', () => {
  it('keeps only what differs from the preset, readable, and reads it back', () => {
    const state = {
      form: { ...defaults, lr: '0.5', hidden: '4, 4', bias: true },
      speed: '10',
      view: { sample: 3, weight: 'W2[0,1]', epoch: 0, lecture: true, foldLoss: false },
    };
    const fragment = encodeState(state, defaults);
    expect(fragment).toBe('hidden=4,+4&bias=true&lr=0.5&speed=10&sample=3&weight=W2[0,1]&epoch=0&lecture=1&fold=0');
    const back = decodeState(`#${fragment}`);
    expect(back.form).toEqual({ hidden: '4, 4', bias: true, lr: '0.5' });
    expect(back.speed).toBe('10');
    expect(back.view).toEqual(state.view);
  });

  it('the preset is an empty fragment; an empty fragment is the default view', () => {
    expect(encodeState({ form: defaults, speed: null, view: DEFAULT_VIEW }, defaults)).toBe('');
    expect(decodeState('')).toEqual({ form: {}, speed: null, view: DEFAULT_VIEW });
  });

  it('ignores what it cannot use', () => {
    const s = decodeState('#sample=-2&weight=<script>&epoch=soon&lecture=yes&colour=red');
    expect(s.view).toEqual(DEFAULT_VIEW);
    expect(s.form).toEqual({});
  });
});
