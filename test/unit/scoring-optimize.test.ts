// The BFGS minimizer on its own, on functions whose minimum is known: what the
// likelihood fits rely on (convergence, the step bound that keeps exp() of a
// log-parameter finite, and stopping cleanly when no step helps).
import { describe, expect, it } from 'vitest';
import { type Objective, minimize } from '../../functions/domain/scoring/optimize';

/** Σ w_i (x_i - c_i)², badly scaled on purpose. */
function quadratic(weights: number[], centre: number[]): Objective {
  return (point, gradient) => {
    let value = 0;
    weights.forEach((w, i) => {
      const d = point[i]! - centre[i]!;
      value += w * d * d;
      gradient[i] = 2 * w * d;
    });
    return value;
  };
}

const rosenbrock: Objective = (point, gradient) => {
  const [x, y] = [point[0]!, point[1]!];
  gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  gradient[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

/** Wraps an objective to record every point it is asked about. */
function recorded(objective: Objective): { objective: Objective; points: number[][] } {
  const points: number[][] = [];
  return {
    points,
    objective: (point, gradient) => {
      points.push(Array.from(point));
      return objective(point, gradient);
    },
  };
}

describe('Function: minimize', () => {
  it('finds the minimum of a badly scaled quadratic to the gradient tolerance', () => {
    const centre = [3, -2, 0.5, 10];
    const result = minimize(quadratic([1, 100, 0.01, 5], centre), [0, 0, 0, 0]);

    centre.forEach((c, i) => expect(result.point[i]).toBeCloseTo(c, 6));
    expect(result.value).toBeLessThan(1e-12);
    expect(result.iterations).toBeGreaterThan(1);
    expect(result.iterations).toBeLessThan(50);
  });

  it('follows the Rosenbrock valley from (-1.2, 1) to (1, 1)', () => {
    const result = minimize(rosenbrock, [-1.2, 1]);

    expect(result.point[0]).toBeCloseTo(1, 7);
    expect(result.point[1]).toBeCloseTo(1, 7);
    expect(result.value).toBeLessThan(1e-14);
    expect(result.iterations).toBeLessThan(100);
  });

  it('does not move from a point where the gradient is already below the tolerance', () => {
    const { objective, points } = recorded(quadratic([1, 1], [2, 3]));

    const result = minimize(objective, [2, 3]);

    expect(result).toMatchObject({ value: 0, iterations: 0 });
    expect(Array.from(result.point)).toEqual([2, 3]);
    expect(points).toHaveLength(1);
  });

  it('stops after maxIterations, at a point better than the start', () => {
    const result = minimize(rosenbrock, [-1.2, 1], { maxIterations: 3 });

    expect(result.iterations).toBe(3);
    expect(result.value).toBeLessThan(rosenbrock(Float64Array.from([-1.2, 1]), new Float64Array(2)));
    expect(result.value).toBeGreaterThan(1e-3);
  });

  it('stops as soon as every gradient component is below a looser tolerance', () => {
    const tight = minimize(rosenbrock, [-1.2, 1]);
    const loose = minimize(rosenbrock, [-1.2, 1], { gradientTolerance: 1e-2 });

    expect(loose.iterations).toBeLessThan(tight.iterations);
    const gradient = new Float64Array(2);
    rosenbrock(loose.point, gradient);
    expect(Math.max(Math.abs(gradient[0]!), Math.abs(gradient[1]!))).toBeLessThan(1e-2);
  });

  it('never tries a point more than 4 from the one it steps from, however steep the slope', () => {
    // A gradient of 2e6 at the start: an unbounded first step would land two million away.
    const { objective, points } = recorded(quadratic([1e6], [0]));

    const result = minimize(objective, [1]);

    expect(result.point[0]).toBeCloseTo(0, 6);
    expect(points[1]).toEqual([-3]);
    for (let i = 1; i < points.length; i++) {
      expect(Math.abs(points[i]![0]! - points[i - 1]![0]!)).toBeLessThanOrEqual(8);
    }
  });

  it('halves a step that does not lower the value enough: on x² from 1, the full step to -1 lands on the minimum halved', () => {
    const { objective, points } = recorded(quadratic([1], [0]));

    const result = minimize(objective, [1]);

    expect(points.slice(1, 3)).toEqual([[-1], [0]]);
    expect(result).toMatchObject({ value: 0, iterations: 1 });
  });

  it('backs off from points where the objective is not finite (out of bounds)', () => {
    // x - ln x, minimum 1 at x = 1, undefined at x <= 0; the first full step lands at -3.
    const { objective, points } = recorded((point, gradient) => {
      const x = point[0]!;
      gradient[0] = 1 - 1 / x;
      return x > 0 ? x - Math.log(x) : Number.NaN;
    });

    const result = minimize(objective, [0.2]);

    expect(points.some(([x]) => x! <= 0)).toBe(true);
    expect(result.point[0]).toBeCloseTo(1, 6);
    expect(result.value).toBeCloseTo(1, 12);
  });

  it('keeps the last accepted point when no step along the gradient lowers the value (a wrong gradient)', () => {
    // Any step to the left costs 1, but the gradient claims the value falls that way.
    const result = minimize((point, gradient) => {
      gradient[0] = 1;
      return point[0]! < 0 ? 6 : 5 + point[0]!;
    }, [0]);

    expect(Array.from(result.point)).toEqual([0]);
    expect(result).toMatchObject({ value: 5, iterations: 1 });
  });

  it('does not take a step that leaves the value where it was when a decrease was promised', () => {
    // Flat to the left at the current value 0, while the gradient promises a descent that way.
    const result = minimize((point, gradient) => {
      gradient[0] = 1;
      return point[0]! < 0 ? 0 : point[0]!;
    }, [0]);

    expect(Array.from(result.point)).toEqual([0]);
    expect(result).toMatchObject({ value: 0, iterations: 1 });
  });

  it('stops once a step no longer changes the value in its last digits', () => {
    // 1e20 + (x - 1)²: the quadratic part is below the value's rounding, so every step "changes nothing".
    const result = minimize((point, gradient) => {
      gradient[0] = 2 * (point[0]! - 1);
      return 1e20 + (point[0]! - 1) ** 2;
    }, [0]);

    expect(result.iterations).toBe(1);
    expect(result.point[0]).toBe(2);
  });

  it('throws a RangeError when the objective is not finite at the start', () => {
    expect(() => minimize(() => Number.POSITIVE_INFINITY, [0])).toThrow(RangeError);
    expect(() => minimize(() => Number.NaN, [0, 0])).toThrow('the objective is not finite at the starting point');
  });
});
