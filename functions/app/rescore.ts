// The rescore: one job, started by the schedule, the admin API or the CLI.
// Phase 1 fits the store's model on a uniform sample (whole shards of the
// customer list, which a hash of the id fills evenly) and fans phase 2 out,
// one scoring task per shard. Phase 2 scores every customer of its shard and
// writes only the scores that changed, each with the events of its segment and
// stage transitions. The processor's refresh scores one customer the same way
// when an order arrives.
import type { CustomerProfile } from '../domain/customers';
import type { OrderRecord } from '../domain/orders';
import {
  netUpTo,
  purchasesOf,
  rfmValuesOf,
  sameScore,
  scoreCustomer,
  transitionsBetween,
  utcDay,
  type CustomerScore,
  type ScoringModel,
  type Transition,
} from '../domain/scoring/customer-score';
import { currencyExponent } from '../domain/normalize/money';
import { fitStoreModel } from '../domain/scoring/predict';
import { rfmCutPoints, type RfmValues } from '../domain/scoring/rfm';
import { purchaseSummary, type PurchaseSummary } from '../domain/scoring/summary';
import { ConflictError, ValidationError } from '../shared/errors';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface SegmentTotals {
  customers: number;
  netMinor: number;
  clvSum: number;
  pAliveSum: number;
  /** Customers with a prediction: the denominator of the averages. */
  predicted: number;
}

export interface ShardReport {
  customers: number;
  changed: number;
  segments: Record<string, SegmentTotals>;
}

export interface RescoreProgress {
  phase: 'queued' | 'fit' | 'score' | 'done';
  shardsTotal: number;
  shardsDone: number;
  customersScored: number;
  changed: number;
}

export interface SegmentSummary {
  segment: string;
  customers: number;
  revenueShare: number;
  averageClv: number | null;
  averagePAlive: number | null;
}

export interface RescoreResult {
  asOf: string;
  customers: number;
  changed: number;
  sufficient: boolean;
  segments: SegmentSummary[];
}

export interface Job {
  id: string;
  kind: 'rescore';
  status: JobStatus;
  trigger: 'schedule' | 'api';
  createdAt: string;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  asOf?: string | undefined;
  progress: RescoreProgress;
  result?: RescoreResult | undefined;
  error?: string | undefined;
  shardsDone: string[];
  shardReports: Record<string, ShardReport>;
}

export interface CurrentModel extends ScoringModel {
  fittedAt: string;
  jobId: string;
  /** Customers read to fit the model (whole shards), and the shards they came from. */
  sampled: number;
  segments?: SegmentSummary[] | undefined;
}

export interface CustomerEvent {
  /** Unique per transition: consumers drop a repeat. */
  id: string;
  type: 'customer.segment_changed' | 'customer.stage_changed';
  customerId: string;
  from: string | null;
  to: string | null;
  at: string;
  asOf: string;
}

export interface StoredScore extends CustomerScore {
  rev: number;
  /** Events written with this score and not yet known to be published. */
  pendingEvents: CustomerEvent[];
}

export interface ScoreStore {
  getScore(customerId: string): Promise<StoredScore | undefined>;
  /** Writes the score if the stored one is still at `expectedRev` (0: none); ConflictError otherwise. Answers the new rev. */
  saveScore(
    customerId: string,
    next: CustomerScore,
    expectedRev: number,
    transitions: readonly Transition[],
    events: readonly CustomerEvent[],
    at: string,
  ): Promise<number>;
  clearPending(customerId: string, rev: number): Promise<void>;
}

export interface JobStore {
  create(job: Job): Promise<void>;
  get(jobId: string): Promise<Job | undefined>;
  update(
    jobId: string,
    fields: Partial<Pick<Job, 'status' | 'progress' | 'result' | 'error' | 'asOf' | 'startedAt' | 'finishedAt'>>,
  ): Promise<void>;
  /** Records a shard as done (once, however often it is reported) and answers the job after it. */
  reportShard(jobId: string, shard: string, report: ShardReport): Promise<Job>;
}

/** A message on the rescore queue: start phase 1. */
export interface RescoreRequest {
  jobId?: string | undefined;
  asOf?: string | undefined;
  trigger: 'schedule' | 'api';
}

/** A message on the scoring queue: score one shard, from a cursor when a previous run handed on. */
export interface ScoringTask {
  jobId: string;
  shard: string;
  asOf: string;
  cursor?: string | undefined;
  /** What the runs before this one counted in the shard. */
  partial?: ShardReport | undefined;
}

export interface CustomerPage {
  items: CustomerProfile[];
  nextCursor: string | null;
}

export interface RescorePorts {
  customers: {
    shards: readonly string[];
    page(shard: string, cursor: string | undefined, limit: number): Promise<CustomerPage>;
    ordersOf(customerId: string): Promise<OrderRecord[]>;
  };
  scores: ScoreStore;
  models: { get(): Promise<CurrentModel | undefined>; put(model: CurrentModel): Promise<void> };
  jobs: JobStore;
  queue: {
    requestRescore(request: RescoreRequest): Promise<void>;
    startScoring(tasks: readonly ScoringTask[]): Promise<void>;
    publish(events: readonly CustomerEvent[]): Promise<void>;
  };
  now(): Date;
  newJobId(): string;
}

/** Customers read to fit the model: whole shards are added until at least this many. */
export const fitSampleTarget = 250_000;
/** Customers a page of a shard holds, and how many of them are scored at once. */
export const scoringPageSize = 200;
export const scoringConcurrency = 16;
/** A scoring run hands its cursor on when less than this is left of its time. */
export const handOnMarginMs = 60_000;
const maxScoreAttempts = 5;

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** The as-of day of a request: a valid past or present UTC day, today by default. */
export function asOfDay(asOf: string | undefined, now: Date): string {
  const today = utcDay(now);
  if (asOf === undefined) return today;
  if (!isoDay.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)) || utcDay(new Date(`${asOf}T00:00:00Z`)) !== asOf) {
    throw new ValidationError('asOf must be a day, YYYY-MM-DD');
  }
  if (asOf > today) throw new ValidationError('asOf must not be in the future');
  return asOf;
}

function emptyProgress(shardsTotal: number): RescoreProgress {
  return { phase: 'queued', shardsTotal, shardsDone: 0, customersScored: 0, changed: 0 };
}

function newJob(id: string, trigger: Job['trigger'], now: Date, asOf: string | undefined, shards: number): Job {
  return {
    id,
    kind: 'rescore',
    status: 'queued',
    trigger,
    createdAt: now.toISOString(),
    asOf,
    progress: emptyProgress(shards),
    shardsDone: [],
    shardReports: {},
  };
}

/** POST /admin/rescore: a queued job, and its start on the rescore queue. */
export async function requestRescore(ports: RescorePorts, request: { asOf?: string | undefined }): Promise<Job> {
  const now = ports.now();
  const asOf = request.asOf === undefined ? undefined : asOfDay(request.asOf, now);
  const job = newJob(ports.newJobId(), 'api', now, asOf, ports.customers.shards.length);
  await ports.jobs.create(job);
  await ports.queue.requestRescore({ jobId: job.id, asOf, trigger: 'api' });
  return job;
}

interface CustomerInputs {
  summary: PurchaseSummary;
  rfm: RfmValues;
}

function inputsOf(profile: CustomerProfile, orders: readonly OrderRecord[], asOf: string): CustomerInputs | undefined {
  const currency = profile.figures.currency;
  const purchases = purchasesOf(orders, currency);
  const summary = purchaseSummary(purchases, asOf, 10 ** currencyExponent(currency ?? 'USD'));
  if (!summary) return undefined;
  return { summary, rfm: rfmValuesOf(summary, netUpTo(purchases, asOf)) };
}

/** Runs `work` over items, at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(workers);
}

/** Shards in an order fixed by the job id, so a retried phase 1 samples the same ones. */
function sampleOrder(shards: readonly string[], jobId: string): string[] {
  const weight = (shard: string) => {
    let hash = 2166136261;
    for (const char of `${jobId}:${shard}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    return hash;
  };
  return [...shards].sort((a, b) => weight(a) - weight(b));
}

/** Phase 1: fit the model on a uniform sample, store it, and fan the scoring out. */
export async function fitAndFanOut(
  ports: RescorePorts,
  request: RescoreRequest,
  options: { sampleTarget?: number } = {},
): Promise<Job> {
  const sampleTarget = options.sampleTarget ?? fitSampleTarget;
  const now = ports.now();
  let job = request.jobId ? await ports.jobs.get(request.jobId) : undefined;
  if (!job) {
    job = newJob(request.jobId ?? ports.newJobId(), request.trigger, now, request.asOf, ports.customers.shards.length);
    await ports.jobs.create(job);
  }
  if (job.status === 'succeeded' || job.status === 'failed') return job;
  const asOf = asOfDay(request.asOf ?? job.asOf, now);
  const started = { status: 'running' as const, asOf, startedAt: job.startedAt ?? now.toISOString() };
  await ports.jobs.update(job.id, { ...started, progress: { ...job.progress, phase: 'fit' } });

  const summaries: PurchaseSummary[] = [];
  const rfmValues: RfmValues[] = [];
  let sampled = 0;
  let shardsRead = 0;
  for (const shard of sampleOrder(ports.customers.shards, job.id)) {
    if (sampled >= sampleTarget) break;
    shardsRead += 1;
    let cursor: string | undefined;
    do {
      const page = await ports.customers.page(shard, cursor, scoringPageSize);
      sampled += page.items.length;
      await inParallel(page.items, scoringConcurrency, async (profile) => {
        const inputs = inputsOf(profile, await ports.customers.ordersOf(profile.id), asOf);
        if (!inputs) return;
        summaries.push(inputs.summary);
        rfmValues.push(inputs.rfm);
      });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  // Shards and pages arrive in an order that differs from job to job, and the
  // fit's sums depend on their order in the last bits: on the same customers a
  // rerun must fit the same model, or scores on a rounding edge flip and are rewritten.
  summaries.sort((a, b) => a.x - b.x || a.tx - b.tx || a.T - b.T || a.meanRepeatValue - b.meanRepeatValue);
  const model: CurrentModel = {
    asOf,
    // Shards hold equal shares of the base (a hash of the id), so the sample scales up to the whole.
    store: fitStoreModel(summaries, asOf, {
      customers: Math.round((summaries.length * ports.customers.shards.length) / Math.max(1, shardsRead)),
    }),
    rfm: rfmCutPoints(rfmValues) ?? null,
    fittedAt: ports.now().toISOString(),
    jobId: job.id,
    sampled,
  };
  await ports.models.put(model);
  const progress: RescoreProgress = { ...emptyProgress(ports.customers.shards.length), phase: 'score' };
  await ports.jobs.update(job.id, { progress });
  await ports.queue.startScoring(ports.customers.shards.map((shard) => ({ jobId: job.id, shard, asOf })));
  return { ...job, ...started, progress };
}

function eventsOf(customerId: string, transitions: readonly Transition[], rev: number, at: string, asOf: string): CustomerEvent[] {
  return transitions.map((transition) => ({
    id: `${customerId}:${transition.kind}:${rev}`,
    type: transition.kind === 'segment' ? 'customer.segment_changed' : 'customer.stage_changed',
    customerId,
    from: transition.from,
    to: transition.to,
    at,
    asOf,
  }));
}

/**
 * Stores a customer's new score if it differs from the stored one, with its
 * transitions and their events, then publishes the events. Events left
 * pending by a crash after the write are published by the next call.
 * Answers whether the score changed.
 */
export async function applyScore(ports: Pick<RescorePorts, 'scores' | 'queue' | 'now'>, customerId: string, next: CustomerScore): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await ports.scores.getScore(customerId);
    if (stored?.pendingEvents.length) {
      await ports.queue.publish(stored.pendingEvents);
      await ports.scores.clearPending(customerId, stored.rev);
    }
    if (sameScore(stored, next)) return false;
    const at = ports.now().toISOString();
    const rev = (stored?.rev ?? 0) + 1;
    const transitions = transitionsBetween(stored, next);
    const events = eventsOf(customerId, transitions, rev, at, next.asOf);
    try {
      await ports.scores.saveScore(customerId, next, stored?.rev ?? 0, transitions, events, at);
    } catch (error) {
      // The processor's refresh and a rescore wrote the same customer: score against what is there now.
      if (error instanceof ConflictError && attempt < maxScoreAttempts) continue;
      throw error;
    }
    if (events.length) {
      await ports.queue.publish(events);
      await ports.scores.clearPending(customerId, rev);
    }
    return true;
  }
}

type ScoringPorts = Pick<RescorePorts, 'customers' | 'scores' | 'queue' | 'now'>;

async function scoreProfile(
  ports: ScoringPorts,
  model: ScoringModel | undefined,
  profile: CustomerProfile,
  asOf: string,
): Promise<{ score: CustomerScore; changed: boolean }> {
  const orders = await ports.customers.ordersOf(profile.id);
  const score = scoreCustomer(model, purchasesOf(orders, profile.figures.currency), profile.figures.currency, asOf);
  return { score, changed: await applyScore(ports, profile.id, score) };
}

function addToReport(report: ShardReport, score: CustomerScore, changed: boolean): void {
  report.customers += 1;
  if (changed) report.changed += 1;
  const key = score.segment ?? `stage:${score.stage}`;
  const totals = (report.segments[key] ??= { customers: 0, netMinor: 0, clvSum: 0, pAliveSum: 0, predicted: 0 });
  totals.customers += 1;
  totals.netMinor += score.netMinor;
  if (score.scores.clv12m !== null && score.scores.pAlive !== null) {
    totals.clvSum += score.scores.clv12m;
    totals.pAliveSum += score.scores.pAlive;
    totals.predicted += 1;
  }
}

/** The per-segment view staff read (GET /admin/segments), from the shards' totals. */
export function summarizeSegments(reports: readonly ShardReport[]): SegmentSummary[] {
  const merged = new Map<string, SegmentTotals>();
  for (const report of reports) {
    for (const [segment, totals] of Object.entries(report.segments)) {
      if (segment.startsWith('stage:')) continue;
      const into = merged.get(segment) ?? { customers: 0, netMinor: 0, clvSum: 0, pAliveSum: 0, predicted: 0 };
      into.customers += totals.customers;
      into.netMinor += totals.netMinor;
      into.clvSum += totals.clvSum;
      into.pAliveSum += totals.pAliveSum;
      into.predicted += totals.predicted;
      merged.set(segment, into);
    }
  }
  const revenue = [...merged.values()].reduce((sum, totals) => sum + totals.netMinor, 0);
  return [...merged.entries()]
    .map(([segment, totals]) => ({
      segment,
      customers: totals.customers,
      revenueShare: revenue > 0 ? totals.netMinor / revenue : 0,
      averageClv: totals.predicted > 0 ? totals.clvSum / totals.predicted : null,
      averagePAlive: totals.predicted > 0 ? totals.pAliveSum / totals.predicted : null,
    }))
    .sort((a, b) => b.customers - a.customers || a.segment.localeCompare(b.segment));
}

/**
 * Phase 2: one shard. Hands its cursor on (a new task) when its time runs
 * short; the last shard to finish closes the job.
 */
export async function scoreShard(ports: RescorePorts, task: ScoringTask, remainingMs: () => number): Promise<void> {
  const job = await ports.jobs.get(task.jobId);
  if (!job || job.shardsDone.includes(task.shard) || job.status === 'failed') return;
  const model = await ports.models.get();
  const report: ShardReport = structuredClone(task.partial ?? { customers: 0, changed: 0, segments: {} });
  let cursor = task.cursor;
  do {
    if (remainingMs() < handOnMarginMs) {
      await ports.queue.startScoring([{ ...task, cursor, partial: report }]);
      return;
    }
    const page = await ports.customers.page(task.shard, cursor, scoringPageSize);
    await inParallel(page.items, scoringConcurrency, async (profile) => {
      const { score, changed } = await scoreProfile(ports, model, profile, task.asOf);
      addToReport(report, score, changed);
    });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  const after = await ports.jobs.reportShard(task.jobId, task.shard, report);
  const reports = Object.values(after.shardReports);
  const progress: RescoreProgress = {
    phase: after.shardsDone.length >= after.progress.shardsTotal ? 'done' : 'score',
    shardsTotal: after.progress.shardsTotal,
    shardsDone: after.shardsDone.length,
    customersScored: reports.reduce((sum, r) => sum + r.customers, 0),
    changed: reports.reduce((sum, r) => sum + r.changed, 0),
  };
  if (progress.phase !== 'done') {
    await ports.jobs.update(task.jobId, { progress });
    return;
  }
  const segments = summarizeSegments(reports);
  if (model && model.jobId === task.jobId) await ports.models.put({ ...model, segments });
  await ports.jobs.update(task.jobId, {
    status: 'succeeded',
    progress,
    finishedAt: ports.now().toISOString(),
    result: {
      asOf: task.asOf,
      customers: progress.customersScored,
      changed: progress.changed,
      sufficient: model?.store.sufficient ?? false,
      segments,
    },
  });
}

/** A new order's customer, scored at once with the current model (the processor calls this). */
export async function refreshCustomer(
  ports: ScoringPorts & { model(): Promise<CurrentModel | undefined> },
  profile: CustomerProfile,
): Promise<boolean> {
  const { changed } = await scoreProfile(ports, await ports.model(), profile, utcDay(ports.now()));
  return changed;
}
