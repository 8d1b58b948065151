// The page's state in its URL, so a teacher can share a prepared view: the settings, the speed,
// the inspector's sample, weight element and epoch, lecture mode and the loss's folding. Kept in
// the fragment (`#dataset=xor&hidden=3,3&…&weight=W1[1,0]&sample=1&epoch=0&lecture=1`): nothing
// is sent to a server. Pure, so it is tested in Node.
import type { FormValues } from './settings.ts';

export interface ViewState {
  /** The inspector's sample (null: the rule's choice). */
  sample: number | null;
  /** `W1[1,0]` (null: the rule's choice). */
  weight: string | null;
  /** The weights shown: a kept epoch, or null for the current ones. */
  epoch: number | null;
  lecture: boolean;
  foldLoss: boolean;
}

export interface PageUrlState {
  form: Partial<FormValues>;
  speed: string | null;
  view: ViewState;
}

export const DEFAULT_VIEW: ViewState = { sample: null, weight: null, epoch: null, lecture: false, foldLoss: true };

const FORM_KEYS: readonly (keyof FormValues)[] = ['dataset', 'classes', 'hidden', 'activation', 'outputActivation', 'bias', 'loss', 'optimizer', 'lr', 'batchSize', 'seed'];

/** The fragment for a state (without '#'); only what differs from `defaults` for the form. */
export function encodeState(state: PageUrlState, defaults: FormValues): string {
  const params = new URLSearchParams();
  for (const key of FORM_KEYS) {
    const v = state.form[key];
    if (v === undefined || v === defaults[key]) continue;
    params.set(key, String(v));
  }
  if (state.speed !== null) params.set('speed', state.speed);
  const v = state.view;
  if (v.sample !== null) params.set('sample', String(v.sample));
  if (v.weight !== null) params.set('weight', v.weight);
  if (v.epoch !== null) params.set('epoch', String(v.epoch));
  if (v.lecture) params.set('lecture', '1');
  if (!v.foldLoss) params.set('fold', '0');
  // keep [ ] , readable: they are allowed in a fragment
  return params.toString().replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%2C/g, ',');
}

const integer = (text: string | null): number | null => {
  if (text === null || text.trim() === '') return null;
  const v = Number(text);
  return Number.isInteger(v) && v >= 0 ? v : null;
};

/** The state a fragment describes; unknown keys and malformed values are ignored. */
export function decodeState(fragment: string): PageUrlState {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const form: Partial<FormValues> = {};
  for (const key of FORM_KEYS) {
    const v = params.get(key);
    if (v === null) continue;
    if (key === 'bias') form.bias = v === 'true';
    else form[key] = v;
  }
  const weight = params.get('weight');
  return {
    form,
    speed: params.get('speed'),
    view: {
      sample: integer(params.get('sample')),
      weight: weight !== null && /^[Wb]\d+\[\d+(,\d+)?\]$/.test(weight) ? weight : null,
      epoch: integer(params.get('epoch')),
      lecture: params.get('lecture') === '1',
      foldLoss: params.get('fold') !== '0',
    },
  };
}
