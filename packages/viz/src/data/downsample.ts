// Min/max bucket downsampling: a long loss history (one loss per sample, 1e6 points) shrinks to
// a few thousand points that still show every spike, so pages and reports stay light.

export interface XYSeries {
  x: number[];
  y: number[];
}

/**
 * Keeps the first and last points and, for each of ⌊(maxPoints − 2)/2⌋ equal index buckets in
 * between, the bucket's minimum and maximum (in their original order). The global minimum and
 * maximum always survive, because each is the extreme of its own bucket. Returns copies; when
 * the input already fits, it is returned unchanged (copied).
 */
export function downsampleMinMax(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints = 2000): XYSeries {
  if (x.length !== y.length) {
    throw new Error(`downsampleMinMax: x has ${x.length} values but y has ${y.length}`);
  }
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new Error(`downsampleMinMax: maxPoints must be an integer >= 4, got ${maxPoints}`);
  }
  const n = x.length;
  if (n <= maxPoints) return { x: Array.from(x), y: Array.from(y) };

  const out: XYSeries = { x: [x[0]], y: [y[0]] };
  const push = (i: number): void => {
    out.x.push(x[i]);
    out.y.push(y[i]);
  };
  const interior = n - 2; // indices 1 … n−2
  const buckets = Math.floor((maxPoints - 2) / 2);
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets); // exclusive
    if (start >= end) continue;
    let iMin = start;
    let iMax = start;
    for (let i = start + 1; i < end; i++) {
      if (y[i] < y[iMin]) iMin = i;
      if (y[i] > y[iMax]) iMax = i;
    }
    if (iMin === iMax) push(iMin);
    else if (iMin < iMax) {
      push(iMin);
      push(iMax);
    } else {
      push(iMax);
      push(iMin);
    }
  }
  push(n - 1);
  return out;
}
