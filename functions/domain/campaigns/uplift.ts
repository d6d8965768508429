// What a campaign changed: the conversion rate of the customers it mailed
// against its holdout, with a 95 % confidence interval for the difference by
// Newcombe's hybrid score method (method 10 of Newcombe 1998, "Interval
// estimation for the difference between independent proportions"), which
// stays inside [-1, 1] and behaves at 0 % and 100 %, unlike the Wald interval.

export interface Conversions {
  converted: number;
  total: number;
}

export interface ConversionUplift {
  treated: number | null;
  holdout: number | null;
  uplift: number | null;
  ci: [number, number] | null;
}

/** The two-sided 95 % normal quantile. */
const z = 1.959963984540054;

export function conversionUplift(treated: Conversions, holdout: Conversions): ConversionUplift {
  const treatedRate = rate(treated);
  const holdoutRate = rate(holdout);
  if (treatedRate === null || holdoutRate === null) return { treated: treatedRate, holdout: holdoutRate, uplift: null, ci: null };
  const [treatedLow, treatedHigh] = wilson(treatedRate, treated.total);
  const [holdoutLow, holdoutHigh] = wilson(holdoutRate, holdout.total);
  const uplift = treatedRate - holdoutRate;
  return {
    treated: treatedRate,
    holdout: holdoutRate,
    uplift,
    // Exactly, the interval lies within [-1, 1]; in floating point an end can
    // overshoot by an ulp (100 % of 4,176 against 0 % of 1 gave 1.0000000000000002).
    ci: [
      Math.max(-1, uplift - Math.hypot(treatedRate - treatedLow, holdoutHigh - holdoutRate)),
      Math.min(1, uplift + Math.hypot(treatedHigh - treatedRate, holdoutRate - holdoutLow)),
    ],
  };
}

/**
 * converted / total, or null without anyone. The counters move separately (a
 * customer who got a repeated campaign may convert twice), so the rate is
 * capped at 1.
 */
function rate({ converted, total }: Conversions): number | null {
  return total > 0 ? Math.min(Math.max(converted, 0), total) / total : null;
}

/** Wilson's score interval for a proportion p observed in n trials. */
function wilson(p: number, n: number): [number, number] {
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n);
  const scale = 1 + z2 / n;
  return [Math.max(0, (centre - spread) / scale), Math.min(1, (centre + spread) / scale)];
}
