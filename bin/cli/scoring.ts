// `huitou rescore`, `segments`, `model` and `model backtest`: the scores as
// staff read them, and the job that makes them.
import type { Command, CommandContext } from './commands';
import { printJson, str } from './commands';
import { CliError, UsageError } from './errors';
import { followJob } from './jobs';
import { cell, formatDate, keyValues, table } from './format';

interface JobView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress?: { phase?: string; shardsTotal?: number; shardsDone?: number; customersScored?: number; changed?: number };
  result?: { asOf?: string; customers?: number; changed?: number; sufficient?: boolean } | null;
  error?: string;
}

interface SegmentRow {
  segment: string;
  customers: number;
  revenueShare: number;
  averageClv: number | null;
  averagePAlive: number | null;
}

const percent = (share: number | null | undefined) => (share === null || share === undefined ? '' : `${(share * 100).toFixed(1)}%`);
const fixed = (value: number | null | undefined, digits: number) => (value === null || value === undefined ? '' : value.toFixed(digits));

function waitForJob(ctx: CommandContext, jobId: string): Promise<JobView> {
  return followJob<JobView>(ctx, jobId, 'rescore', (job, seconds) => {
    const p = job.progress ?? {};
    const rate = seconds > 0 && p.customersScored ? `${Math.round(p.customersScored / seconds)} customers/s` : '';
    return `${p.phase ?? job.status} ${p.customersScored ?? 0} scored ${rate}`.trim();
  });
}

const rescore: Command = {
  name: 'rescore',
  usage: 'rescore [--as-of YYYY-MM-DD] [--wait]',
  summary: 'score every customer again now (the daily job); --wait follows it to the end',
  options: { 'as-of': { type: 'string' }, wait: { type: 'boolean' } },
  args: [],
  async run(ctx) {
    const asOf = str(ctx.values, 'as-of');
    if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
      throw new UsageError(`--as-of must be a day, YYYY-MM-DD (got "${asOf}")`, rescore.usage);
    }
    const { body } = await ctx.client.post<{ jobId: string }>('/admin/rescore', asOf ? { asOf } : {});
    if (ctx.values.wait !== true) {
      if (ctx.json) return printJson(ctx, body);
      return ctx.out(`Rescore started: job ${body.jobId}. Follow it with: huitou rescore --wait, or GET /admin/jobs/${body.jobId}\n`);
    }
    const job = await waitForJob(ctx, body.jobId);
    if (ctx.json) printJson(ctx, job);
    else if (job.status === 'succeeded') {
      const r = job.result ?? {};
      ctx.out(
        `Rescore ${job.id} done as of ${cell(r.asOf)}: ${cell(r.customers)} customers scored, ${cell(r.changed)} changed` +
          `${r.sufficient === false ? ' (not enough data to predict: see huitou model)' : ''}\n`,
      );
    }
    if (job.status === 'failed') throw new CliError(`rescore ${job.id} failed: ${job.error ?? 'no reason given'}`);
  },
};

const segments: Command = {
  name: 'segments',
  usage: 'segments',
  summary: 'customers, share of revenue, average CLV and P(alive) per RFM segment (as of the last rescore)',
  options: {},
  args: [],
  async run(ctx) {
    const { body } = await ctx.client.get<{ asOf: string | null; items: SegmentRow[] }>('/admin/segments');
    if (ctx.json) return printJson(ctx, body);
    if (body.items.length === 0) return ctx.out('No segments yet: run `huitou rescore --wait` first.\n');
    ctx.out(`Segments as of ${cell(body.asOf)}\n`);
    ctx.out(
      table(body.items, [
        { header: 'segment', value: (s) => s.segment },
        { header: 'customers', value: (s) => s.customers },
        { header: 'revenue', value: (s) => percent(s.revenueShare) },
        { header: 'avg CLV 12m', value: (s) => fixed(s.averageClv, 2) },
        { header: 'avg P(alive)', value: (s) => fixed(s.averagePAlive, 3) },
      ]),
    );
  },
};

interface ModelView {
  asOf: string;
  customers: number;
  sufficient: boolean;
  reason: string | null;
  fittedOn?: number;
  fittedAt?: string;
  bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
  gammaGamma: { p: number; q: number; gamma: number } | null;
}

const model: Command = {
  name: 'model',
  usage: 'model',
  summary: 'the fitted BG/NBD and Gamma-Gamma model of the last rescore',
  options: {},
  args: [],
  async run(ctx) {
    const { body: m } = await ctx.client.get<ModelView>('/admin/model');
    if (ctx.json) return printJson(ctx, m);
    ctx.out(
      keyValues([
        ['as of', m.asOf],
        ['customers', m.customers],
        ['fitted on', m.fittedOn],
        ['fitted at', formatDate(m.fittedAt)],
        ['enough data', m.sufficient ? 'yes' : `no: ${m.reason ?? ''}`],
        ['BG/NBD', m.bgnbd ? `r=${fixed(m.bgnbd.r, 3)} alpha=${fixed(m.bgnbd.alpha, 3)} a=${fixed(m.bgnbd.a, 3)} b=${fixed(m.bgnbd.b, 3)} LL=${fixed(m.bgnbd.logLikelihood, 1)}` : 'not fitted'],
        ['Gamma-Gamma', m.gammaGamma ? `p=${fixed(m.gammaGamma.p, 2)} q=${fixed(m.gammaGamma.q, 2)} gamma=${fixed(m.gammaGamma.gamma, 2)}` : 'not fitted'],
      ]),
    );
  },
};

interface BacktestTotals {
  predicted: number;
  actual: number;
  errorPercent: number | null;
}

interface BacktestView {
  sampled: number;
  customers: number;
  model: { sufficient: boolean; reason?: string };
  weeks: { week: number; end: string; period: string; predicted: number; actual: number; cumulativePredicted: number; cumulativeActual: number }[];
  totals: BacktestTotals | null;
  holdout: BacktestTotals | null;
  perCustomer: { mae: number; naiveMae: number } | null;
}

const versus = (t: BacktestTotals) => `${fixed(t.predicted, 1)} predicted, ${t.actual} actual (${t.errorPercent === null ? 'n/a' : `${fixed(t.errorPercent, 1)}%`})`;

const modelBacktest: Command = {
  name: 'model backtest',
  usage: 'model backtest --calibration-end YYYY-MM-DD --holdout-end YYYY-MM-DD',
  summary: 'fit on orders up to the calibration end, predict the holdout, compare with what happened',
  options: { 'calibration-end': { type: 'string' }, 'holdout-end': { type: 'string' } },
  args: [],
  required: ['calibration-end', 'holdout-end'],
  async run(ctx) {
    const { body: b } = await ctx.client.get<BacktestView>('/admin/model/backtest', {
      calibrationEnd: str(ctx.values, 'calibration-end'),
      holdoutEnd: str(ctx.values, 'holdout-end'),
    });
    if (ctx.json) return printJson(ctx, b);
    if (!b.totals || !b.holdout || !b.perCustomer) {
      return ctx.out(`Not enough data to backtest (${b.customers} customers): ${b.model.reason ?? ''}\n`);
    }
    ctx.out(
      keyValues([
        ['customers', b.customers],
        ['repeat orders, cumulative', versus(b.totals)],
        ['repeat orders in the holdout', versus(b.holdout)],
        ['per-customer MAE', `${fixed(b.perCustomer.mae, 3)} (naive baseline ${fixed(b.perCustomer.naiveMae, 3)})`],
      ]),
    );
    ctx.out(
      table(b.weeks, [
        { header: 'week', value: (w) => w.week },
        { header: 'ends', value: (w) => w.end },
        { header: 'period', value: (w) => w.period },
        { header: 'predicted', value: (w) => fixed(w.predicted, 1) },
        { header: 'actual', value: (w) => w.actual },
        { header: 'cum. predicted', value: (w) => fixed(w.cumulativePredicted, 1) },
        { header: 'cum. actual', value: (w) => w.cumulativeActual },
      ]),
    );
  },
};

export const scoringCommands: readonly Command[] = [rescore, segments, model, modelBacktest];
