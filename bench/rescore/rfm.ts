// RFM throughput of the pure functions at a million customers (not a test):
//
//   npx tsx bench/rescore/rfm.ts [--customers 1000000] [--runs 5] [--seed 42]
//
// A run is what the rescore does with RFM: rfmCutPoints over every customer
// (the whole base, not a sample, so this is the slow end), then rfmScores and
// segmentOf for each. Customers are synthetic and seeded: recency uniform over
// two years, frequency geometric (about 65% bought on one day, so ties are
// heavy), spend log-normal. The median of --runs is printed, per phase too.
import { parseArgs } from 'node:util';
import { rfmCutPoints, rfmScores, segmentOf, type RfmValues, type Segment } from '../../functions/domain/scoring/rfm';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
  },
});
const n = Number(args.customers);
const runs = Number(args.runs);

// mulberry32: a small seeded generator, so every run scores the same base.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticBase(count: number, seed: number): RfmValues[] {
  const next = random(seed);
  const base: RfmValues[] = [];
  for (let i = 0; i < count; i++) {
    let frequency = 1;
    while (next() < 0.35 && frequency < 200) frequency++;
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    base.push({
      recencyDays: Math.floor(next() * 730),
      frequency,
      monetaryMinor: Math.round(frequency * Math.exp(8 + 0.9 * normal)),
    });
  }
  return base;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const base = syntheticBase(n, Number(args.seed));
const cutMs: number[] = [];
const scoreMs: number[] = [];
const totalMs: number[] = [];
let bySegment = new Map<Segment, number>();
for (let run = 0; run < runs; run++) {
  const start = performance.now();
  const cuts = rfmCutPoints(base);
  if (!cuts) throw new Error('no customers');
  const cut = performance.now();
  const counts = new Map<Segment, number>();
  for (const customer of base) {
    const segment = segmentOf(rfmScores(customer, cuts));
    counts.set(segment, (counts.get(segment) ?? 0) + 1);
  }
  const end = performance.now();
  cutMs.push(cut - start);
  scoreMs.push(end - cut);
  totalMs.push(end - start);
  bySegment = counts;
  process.stdout.write(`run ${run + 1}: cut points ${(cut - start).toFixed(1)} ms, scores + segments ${(end - cut).toFixed(1)} ms\n`);
}

const total = median(totalMs);
const score = median(scoreMs);
process.stdout.write(
  `node ${process.version}, ${n} customers, median of ${runs} runs\n` +
    `rfmCutPoints                 ${median(cutMs).toFixed(1)} ms\n` +
    `rfmScores + segmentOf        ${score.toFixed(1)} ms  (${Math.floor(n / (score / 1000))} customers/s)\n` +
    `all three                    ${total.toFixed(1)} ms  (${Math.floor(n / (total / 1000))} customers/s)\n` +
    `segments: ${[...bySegment].map(([segment, count]) => `${segment} ${count}`).join(', ')}\n`,
);
