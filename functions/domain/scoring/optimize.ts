// BFGS with a backtracking line search, for the handful of parameters of a
// likelihood. Both models give an analytic gradient, which is what lets the
// 1M-customer fit take a few dozen passes over the data instead of the
// hundreds a derivative-free simplex needs.

export interface Objective {
  /** The value to minimize at `point`; writes the gradient into `gradient`. Non-finite means "out of bounds". */
  (point: Float64Array, gradient: Float64Array): number;
}

export interface Minimum {
  point: Float64Array;
  value: number;
  iterations: number;
}

export interface MinimizeOptions {
  maxIterations?: number;
  /** Stop when every gradient component is below this. */
  gradientTolerance?: number;
}

/** The longest step taken in one go: beyond it the model is no guide. */
const MAX_STEP = 4;
const ARMIJO = 1e-4;

export function minimize(objective: Objective, start: ArrayLike<number>, options: MinimizeOptions = {}): Minimum {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 500;
  const gradientTolerance = options.gradientTolerance ?? 1e-9;
  let point = Float64Array.from(start);
  let gradient = new Float64Array(n);
  let value = objective(point, gradient);
  if (!Number.isFinite(value)) throw new RangeError('the objective is not finite at the starting point');
  const inverseHessian = identity(n);
  const direction = new Float64Array(n);
  let trial = new Float64Array(n);
  let trialGradient = new Float64Array(n);
  let iterations = 0;
  while (iterations < maxIterations && maxAbs(gradient) >= gradientTolerance) {
    iterations++;
    multiply(inverseHessian, gradient, direction, -1);
    let slope = dot(direction, gradient);
    if (!(slope < 0)) {
      resetToIdentity(inverseHessian);
      for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
      slope = dot(direction, gradient);
    }
    let step = Math.min(1, MAX_STEP / maxAbs(direction));
    let trialValue = Number.NaN;
    for (let halvings = 0; halvings < 60; halvings++) {
      for (let i = 0; i < n; i++) trial[i] = point[i]! + step * direction[i]!;
      trialValue = objective(trial, trialGradient);
      if (Number.isFinite(trialValue) && trialValue <= value + ARMIJO * step * slope) break;
      step /= 2;
    }
    if (!(Number.isFinite(trialValue) && trialValue <= value + ARMIJO * step * slope)) break;
    updateInverseHessian(inverseHessian, trial, point, trialGradient, gradient);
    const settled = value - trialValue <= 1e-16 * Math.abs(value);
    [point, trial] = [trial, point];
    [gradient, trialGradient] = [trialGradient, gradient];
    value = trialValue;
    if (settled) break;
  }
  return { point, value, iterations };
}

function updateInverseHessian(
  h: Float64Array[],
  next: Float64Array,
  point: Float64Array,
  nextGradient: Float64Array,
  gradient: Float64Array,
): void {
  const n = point.length;
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = next[i]! - point[i]!;
    y[i] = nextGradient[i]! - gradient[i]!;
  }
  const sy = dot(s, y);
  // Without positive curvature along the step the update would lose positive
  // definiteness; skipping it keeps the last good model.
  if (!(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
  const hy = new Float64Array(n);
  multiply(h, y, hy, 1);
  const yhy = dot(y, hy);
  const scale = (sy + yhy) / (sy * sy);
  for (let i = 0; i < n; i++) {
    const row = h[i]!;
    for (let j = 0; j < n; j++) {
      row[j] = row[j]! + scale * s[i]! * s[j]! - (hy[i]! * s[j]! + s[i]! * hy[j]!) / sy;
    }
  }
}

function identity(n: number): Float64Array[] {
  const rows = Array.from({ length: n }, () => new Float64Array(n));
  resetToIdentity(rows);
  return rows;
}

function resetToIdentity(rows: Float64Array[]): void {
  rows.forEach((row, i) => {
    row.fill(0);
    row[i] = 1;
  });
}

function multiply(matrix: Float64Array[], vector: Float64Array, out: Float64Array, sign: number): void {
  matrix.forEach((row, i) => {
    out[i] = sign * dot(row, vector);
  });
}

function dot(u: Float64Array, v: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += u[i]! * v[i]!;
  return sum;
}

function maxAbs(v: Float64Array): number {
  let max = 0;
  for (const value of v) max = Math.max(max, Math.abs(value));
  return max;
}
