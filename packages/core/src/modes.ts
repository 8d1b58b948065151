// Global modes: whether ops record a graph, and whether they check their values (anomaly
// detection). Each is changed for the duration of a function only, by one helper.

const modes = { grad: true, anomaly: false };

type Mode = keyof typeof modes;

/** Runs `fn` with `mode` set to `on`, and puts the previous setting back however `fn` ends. */
export function withMode<T>(mode: Mode, on: boolean, fn: () => T): T {
  const previous = modes[mode];
  modes[mode] = on;
  try {
    return fn();
  } finally {
    modes[mode] = previous;
  }
}

export function isGradEnabled(): boolean {
  return modes.grad;
}

/** Runs `fn` without recording a graph (no op result requires grad inside). */
export function noGrad<T>(fn: () => T): T {
  return withMode('grad', false, fn);
}

/** Runs `fn` recording a graph even where recording is off (inside noGrad, or inside a rule). */
export function enableGrad<T>(fn: () => T): T {
  return withMode('grad', true, fn);
}

export function isAnomalyDetectionEnabled(): boolean {
  return modes.anomaly;
}

/** Turns anomaly detection on or off globally: every op checks its forward and backward values. */
export function setAnomalyDetection(on: boolean): void {
  modes.anomaly = on;
}

/** Runs `fn` with anomaly detection: the first op producing NaN or ±Infinity throws, naming itself. */
export function detectAnomaly<T>(fn: () => T): T {
  return withMode('anomaly', true, fn);
}
