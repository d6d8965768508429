// Simulated purchase histories that follow the BG/NBD and Gamma-Gamma stories
// (Fader, Hardie & Lee 2005; Fader, Hardie & Lee 2005b), so a fit can be checked
// against the parameters that made the data, and a demo store looks like a real one.
// Pure: the caller passes the seeded Random, so one seed gives one population.
import { ValidationError } from '../../shared/errors';

export interface Random {
  /** A number in [0, 1). */
  next(): number;
}

export interface SimulationParams {
  /** lambda ~ Gamma(r, alpha) with alpha a rate per week; p ~ Beta(a, b). */
  bgnbd: { r: number; alpha: number; a: number; b: number };
  /** nu ~ Gamma(q, gamma), spend per transaction z ~ Gamma(p, nu), in major units. */
  gammaGamma: { p: number; q: number; gamma: number };
}

export interface SimulatedPurchase {
  /** ISO instant, whole seconds. */
  at: string;
  valueMinor: number;
}

export interface SimulatedCustomer {
  id: string;
  purchases: SimulatedPurchase[];
}

/** The hidden truth behind a simulated customer, for checking a fit against it. */
export interface SimulatedCustomerTruth extends SimulatedCustomer {
  latent: {
    /** Purchases per week while alive. */
    lambda: number;
    /** Chance of dropping out after each repeat purchase. */
    p: number;
    /** Gamma-Gamma rate of this customer's spend: mean spend is gammaGamma.p / nu. */
    nu: number;
    /** The purchase after which the customer dropped out, or null if alive at the end. */
    droppedOutAt: string | null;
  };
}

export interface SimulationOptions {
  customers: number;
  /** First day of the window, YYYY-MM-DD (UTC midnight, included). */
  start: string;
  /** Day after the window, YYYY-MM-DD (UTC midnight, excluded). */
  end: string;
  random: Random;
  /** Minor units per major unit of spend; 100 unless given. */
  minorPerMajor?: number;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const SECOND_MS = 1000;
const MAX_CUSTOMERS = 10_000_000;

/** mulberry32 (Tommy Ettinger): 32 bits of state, fast, and good enough for simulation. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    },
  };
}

/** A standard normal deviate (Box-Muller); 1 - u keeps the logarithm finite. */
function sampleNormal(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Gamma(shape, rate) by Marsaglia & Tsang (2000). A shape below 1 samples
 * Gamma(shape + 1) and scales by U^(1/shape), as their paper suggests.
 */
export function sampleGamma(random: Random, shape: number, rate: number): number {
  if (shape < 1) {
    const boosted = sampleGamma(random, shape + 1, rate);
    return boosted * Math.pow(1 - random.next(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = sampleNormal(random);
    const base = 1 + c * x;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = 1 - random.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(random: Random, a: number, b: number): number {
  const x = sampleGamma(random, a, 1);
  const y = sampleGamma(random, b, 1);
  const sum = x + y;
  // Both underflow to 0 only for tiny shapes; the larger shape then wins.
  if (sum === 0) return a >= b ? 1 : 0;
  return x / sum;
}

function dayStart(day: string, label: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new ValidationError(`${label} must be a date YYYY-MM-DD, got "${day}"`);
  }
  return ms;
}

function requirePositive(values: Record<string, number>): void {
  const bad = Object.entries(values)
    .filter(([, value]) => !(Number.isFinite(value) && value > 0))
    .map(([name, value]) => `${name} must be a positive number, got ${value}`);
  if (bad.length > 0) throw new ValidationError('invalid simulation parameters', bad);
}

function idOf(index: number): string {
  return `sim-${String(index + 1).padStart(6, '0')}`;
}

/**
 * Customers whose first purchase falls uniformly in [start, end). While alive a
 * customer buys as a Poisson process of rate lambda per week; after each repeat
 * purchase they drop out with probability p (never after the first, as in BG/NBD).
 */
export function simulatePopulation(
  params: SimulationParams,
  options: SimulationOptions,
): SimulatedCustomerTruth[] {
  const { r, alpha, a, b } = params.bgnbd;
  const gg = params.gammaGamma;
  const minorPerMajor = options.minorPerMajor ?? 100;
  requirePositive({ r, alpha, a, b, p: gg.p, q: gg.q, gamma: gg.gamma, minorPerMajor });
  const { customers, random } = options;
  if (!Number.isInteger(customers) || customers < 0 || customers > MAX_CUSTOMERS) {
    throw new ValidationError(`customers must be a whole number from 0 to ${MAX_CUSTOMERS}, got ${customers}`);
  }
  const startMs = dayStart(options.start, 'start');
  const endMs = dayStart(options.end, 'end');
  if (endMs <= startMs) {
    throw new ValidationError(`end (${options.end}) must come after start (${options.start})`);
  }

  const population: SimulatedCustomerTruth[] = [];
  for (let index = 0; index < customers; index++) {
    const lambda = sampleGamma(random, r, alpha);
    const p = sampleBeta(random, a, b);
    const nu = sampleGamma(random, gg.q, gg.gamma);
    const spend = (): number => Math.round(sampleGamma(random, gg.p, nu) * minorPerMajor);

    // Whole seconds, rounded down, so a purchase never lands on or after `end`.
    const first = startMs + Math.floor((random.next() * (endMs - startMs)) / SECOND_MS) * SECOND_MS;
    const purchases: SimulatedPurchase[] = [{ at: new Date(first).toISOString(), valueMinor: spend() }];
    let droppedOutAt: string | null = null;
    let now = first;
    for (;;) {
      now += (-Math.log(1 - random.next()) / lambda) * WEEK_MS;
      if (!(now < endMs)) break;
      const at = new Date(Math.floor(now / SECOND_MS) * SECOND_MS).toISOString();
      purchases.push({ at, valueMinor: spend() });
      if (random.next() < p) {
        droppedOutAt = at;
        break;
      }
    }
    population.push({ id: idOf(index), purchases, latent: { lambda, p, nu, droppedOutAt } });
  }
  return population;
}
