// Model fit time and prediction throughput of the pure functions (not a test):
//
//   npx tsx bench/rescore/fit.ts [--sizes 100000,1000000] [--runs 3] [--seed 42] [--predict 100000]
//
// - CDNOW: fitBgNbd and fitGammaGamma on the 2,357 CDNOW customers as of
//   1997-09-30 (lifetimes, the reference, takes about 1 s for its BG/NBD fit).
// - Synthetic bases of each size, drawn in summary form with simulate.ts's
//   seeded samplers from BG/NBD r 0.5, alpha 5, a 0.8, b 2.5 and Gamma-Gamma
//   p 6, q 4, gamma 15: first purchase uniform over two years, purchases in
//   continuous time merged into whole UTC days. A fit run includes the
//   aggregation of identical (x, t_x, T).
// - predictCustomer on --predict customers of the first size, with and
//   without a monthly discount rate (which costs 12 expectations instead of 1).
// Every figure is the median of --runs.
import { parseArgs } from 'node:util';
import { fitBgNbd } from '../../functions/domain/scoring/bgnbd';
import { fitGammaGamma } from '../../functions/domain/scoring/gamma-gamma';
import { fitStoreModel, predictCustomer } from '../../functions/domain/scoring/predict';
import { type Random, sampleBeta, sampleGamma, seededRandom } from '../../functions/domain/scoring/simulate';
import { type PurchaseSummary, purchaseSummary } from '../../functions/domain/scoring/summary';
import { cdnowHistories } from '../../test/support/cdnow';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    predict: { type: 'string', default: '100000' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const runs = Number(args.runs);
const asOf = '2024-12-31';
const HISTORY_DAYS = 730;

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function timed<T>(work: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = work();
  return { ms: performance.now() - start, result };
}

function medianOf<T>(work: () => T): { ms: number; result: T } {
  const results = Array.from({ length: runs }, () => timed(work));
  return { ms: median(results.map((r) => r.ms)), result: results[0]!.result };
}

/** One customer's summary drawn from the BG/NBD story, days merged as purchaseSummary merges them. */
function syntheticCustomer(random: Random): PurchaseSummary {
  const lambda = sampleGamma(random, 0.5, 5);
  const p = sampleBeta(random, 0.8, 2.5);
  const nu = sampleGamma(random, 4, 15);
  const ageDays = Math.floor(random.next() * HISTORY_DAYS);
  const days = new Set<number>([0]);
  let repeatValue = 0;
  let now = 0;
  for (;;) {
    now += (-Math.log(1 - random.next()) / lambda) * 7;
    const day = Math.floor(now);
    if (day > ageDays) break;
    if (!days.has(day)) {
      days.add(day);
      repeatValue += Math.round(sampleGamma(random, 6, nu) * 100);
    }
    if (random.next() < p) break;
  }
  const x = days.size - 1;
  return { x, tx: Math.max(...days) / 7, T: ageDays / 7, meanRepeatValue: x === 0 ? 0 : repeatValue / x / 100 };
}

function cdnowSummaries(): PurchaseSummary[] {
  return [...cdnowHistories().values()].map((history) => purchaseSummary(history, '1997-09-30', 100)!);
}

const fitted = (f: { r: number; alpha: number; a: number; b: number }, g: { p: number; q: number; gamma: number }) =>
  [f.r, f.alpha, f.a, f.b, g.p, g.q, g.gamma].map((v) => v.toFixed(3)).join(' | ');

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

process.stdout.write(`node ${process.version}, median of ${runs} runs, seed ${args.seed}\n\n`);

const cdnow = cdnowSummaries();
const cdnowBg = medianOf(() => fitBgNbd(cdnow));
const cdnowGg = medianOf(() => fitGammaGamma(cdnow));
const { r, alpha, a, b, logLikelihood, iterations } = cdnowBg.result;
process.stdout.write(
  `CDNOW (2,357 customers): fitBgNbd ${fmt(cdnowBg.ms, 1)} ms (${iterations} iterations; ` +
    `r ${r.toFixed(4)} alpha ${alpha.toFixed(4)} a ${a.toFixed(4)} b ${b.toFixed(4)} ` +
    `LL ${logLikelihood.toFixed(2)}), ` +
    `fitGammaGamma ${fmt(cdnowGg.ms, 1)} ms (${cdnowGg.result.iterations} iterations)\n\n`,
);

const columns = ['customers', 'distinct (x, t_x, T)', 'draw', 'fitBgNbd', 'iterations', 'fitGammaGamma'];
const header = [...columns, 'r', 'alpha', 'a', 'b', 'p', 'q', 'gamma'];
process.stdout.write(`| ${header.join(' | ')} |\n|${'---|'.repeat(header.length)}\n`);
let predictionBase: PurchaseSummary[] = [];
for (const size of sizes) {
  const random = seededRandom(Number(args.seed));
  const draw = timed(() => Array.from({ length: size }, () => syntheticCustomer(random)));
  const summaries = draw.result;
  if (predictionBase.length === 0) predictionBase = summaries.slice(0, Number(args.predict));
  const distinct = new Set(summaries.map((s) => `${s.x},${s.tx},${s.T}`)).size;
  const bg = medianOf(() => fitBgNbd(summaries));
  const gg = medianOf(() => fitGammaGamma(summaries));
  const f = bg.result;
  const g = gg.result;
  process.stdout.write(
    `| ${fmt(size)} | ${fmt(distinct)} | ${fmt(draw.ms / 1000, 1)} s | ${fmt(bg.ms / 1000, 2)} s | ${f.iterations} | ` +
      `${fmt(gg.ms / 1000, 2)} s | ${fitted(f, g)} |\n`,
  );
}

const model = fitStoreModel(predictionBase, asOf);
if (!model.sufficient) throw new Error(`the prediction base gave no model: ${model.reason}`);
process.stdout.write(`\npredictCustomer on ${fmt(predictionBase.length)} customers:\n`);
for (const [label, options] of [
  ['no discount', {}],
  ['monthly discount 0.01', { monthlyDiscountRate: 0.01 }],
] as const) {
  let checksum = 0;
  const run = medianOf(() => {
    for (const summary of predictionBase) checksum += predictCustomer(model, summary, asOf, options)!.clv12m;
  });
  process.stdout.write(
    `  ${label}: ${fmt(run.ms, 0)} ms, ${fmt(predictionBase.length / (run.ms / 1000))} customers/s ` +
      `(checksum ${checksum.toExponential(3)})\n`,
  );
}
