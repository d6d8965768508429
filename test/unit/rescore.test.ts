// The rescore use cases over in-memory ports: what each phase writes, which
// events it emits, and what a retry, a conflict or a crash leaves behind.
import { describe, expect, it } from 'vitest';
import {
  applyScore,
  asOfDay,
  fitAndFanOut,
  handOnMarginMs,
  refreshCustomer,
  requestRescore,
  scoreShard,
  summarizeSegments,
  type CurrentModel,
  type CustomerEvent,
  type Job,
  type RescorePorts,
  type ScoringTask,
  type ShardReport,
  type StoredScore,
} from '../../functions/app/rescore';
import { newProfile, type CustomerProfile } from '../../functions/domain/customers';
import type { OrderRecord } from '../../functions/domain/orders';
import type { CustomerScore, Transition } from '../../functions/domain/scoring/customer-score';
import { seededRandom, simulatePopulation } from '../../functions/domain/scoring/simulate';
import { ConflictError } from '../../functions/shared/errors';
import { fitStoreModel } from '../../functions/domain/scoring/predict';
import { purchaseSummary } from '../../functions/domain/scoring/summary';
import { cdnowHistories } from '../support/cdnow';

const now = new Date('2026-01-10T08:00:00Z');

function order(customerId: string, n: number, placedAt: string, totalMinor: number): OrderRecord {
  return {
    channelId: 'ch_1',
    platform: 'standard',
    orderId: `${customerId}-${n}`,
    placedAt,
    placedDay: placedAt.slice(0, 10),
    updatedAt: placedAt,
    status: 'open',
    test: false,
    currency: 'EUR',
    totalMinor,
    refunds: {},
    discountCodes: [],
    placeholder: false,
    customerId,
  };
}

/** Customer i buys i + 1 times, monthly from January 2025, for (i + 1) × 10 EUR. */
function store(customerCount: number, shardCount = 2) {
  const profiles: CustomerProfile[] = [];
  const orders = new Map<string, OrderRecord[]>();
  for (let i = 0; i < customerCount; i += 1) {
    const id = `cus_${i.toString(16).padStart(4, '0')}`;
    profiles.push({ ...newProfile(id, '2025-01-01T00:00:00Z'), figures: { ...newProfile(id, '').figures, currency: 'EUR' } });
    orders.set(
      id,
      Array.from({ length: i + 1 }, (_, k) => order(id, k, new Date(Date.UTC(2025, k % 12, 5 + (i % 20), 10)).toISOString(), (i + 1) * 1000)),
    );
  }
  const shards = Array.from({ length: shardCount }, (_, n) => `S${n}`);
  const shardOf = (id: string) => shards[parseInt(id.slice(4), 16) % shardCount]!;
  return { profiles, orders, shards, shardOf };
}

function memoryPorts(customerCount: number, options: { shardCount?: number; pageSize?: number } = {}) {
  const data = store(customerCount, options.shardCount);
  const scores = new Map<string, StoredScore>();
  const history: { customerId: string; transitions: readonly Transition[] }[] = [];
  const jobs = new Map<string, Job>();
  const published: CustomerEvent[] = [];
  const tasks: ScoringTask[] = [];
  const requests: unknown[] = [];
  let model: CurrentModel | undefined;
  let writes = 0;
  let jobCount = 0;
  const failures = { publish: 0, save: 0 };
  const ports: RescorePorts = {
    customers: {
      shards: data.shards,
      page: async (shard, cursor, limit) => {
        const inShard = data.profiles.filter((profile) => data.shardOf(profile.id) === shard);
        const start = cursor ? Number(cursor) : 0;
        const size = options.pageSize ?? limit;
        const next = start + size;
        return { items: inShard.slice(start, next), nextCursor: next < inShard.length ? String(next) : null };
      },
      ordersOf: async (customerId) => data.orders.get(customerId) ?? [],
    },
    scores: {
      getScore: async (customerId) => structuredClone(scores.get(customerId)),
      saveScore: async (customerId, next: CustomerScore, expectedRev, transitions, events) => {
        if (failures.save > 0) {
          failures.save -= 1;
          throw new ConflictError('moved');
        }
        if ((scores.get(customerId)?.rev ?? 0) !== expectedRev) throw new ConflictError('moved');
        writes += 1;
        scores.set(customerId, { ...structuredClone(next), rev: expectedRev + 1, pendingEvents: [...events] });
        history.push({ customerId, transitions });
        return expectedRev + 1;
      },
      clearPending: async (customerId, rev) => {
        const stored = scores.get(customerId);
        if (stored?.rev === rev) stored.pendingEvents = [];
      },
    },
    models: {
      get: async () => structuredClone(model),
      put: async (next) => {
        model = structuredClone(next);
      },
    },
    jobs: {
      create: async (job) => {
        if (jobs.has(job.id)) throw new Error('exists');
        jobs.set(job.id, structuredClone(job));
      },
      get: async (jobId) => structuredClone(jobs.get(jobId)),
      update: async (jobId, fields) => {
        jobs.set(jobId, { ...jobs.get(jobId)!, ...structuredClone(fields) });
      },
      reportShard: async (jobId, shard, report) => {
        const job = jobs.get(jobId)!;
        if (!job.shardsDone.includes(shard)) job.shardsDone.push(shard);
        job.shardReports[shard] = structuredClone(report);
        return structuredClone(job);
      },
    },
    queue: {
      requestRescore: async (request) => {
        requests.push(request);
      },
      startScoring: async (sent) => {
        tasks.push(...sent);
      },
      publish: async (events) => {
        if (failures.publish > 0) {
          failures.publish -= 1;
          throw new Error('SQS is down');
        }
        published.push(...events);
      },
    },
    now: () => now,
    newJobId: () => `job_${(jobCount += 1)}`,
  };
  return {
    ports,
    data,
    scores,
    history,
    jobs,
    published,
    tasks,
    requests,
    failures,
    model: () => model,
    writes: () => writes,
  };
}

const plenty = () => 15 * 60_000;

async function runAll(m: ReturnType<typeof memoryPorts>, asOf = '2025-12-31'): Promise<Job> {
  const job = await requestRescore(m.ports, { asOf });
  await fitAndFanOut(m.ports, { jobId: job.id, asOf, trigger: 'api' });
  while (m.tasks.length) await scoreShard(m.ports, m.tasks.shift()!, plenty);
  return m.jobs.get(job.id)!;
}

describe('Use case: asOfDay', () => {
  it('takes today by default and any real past day', () => {
    expect(asOfDay(undefined, now)).toBe('2026-01-10');
    expect(asOfDay('2026-01-10', now)).toBe('2026-01-10');
    expect(asOfDay('1997-09-30', now)).toBe('1997-09-30');
  });

  it('refuses a future day, an impossible day and anything not a day', () => {
    for (const bad of ['2026-01-11', '2025-02-30', '2025-13-01', '20250101', '2025-01-01T00:00:00Z', '']) {
      expect(() => asOfDay(bad, now), bad).toThrow(expect.objectContaining({ name: 'ValidationError' }));
    }
  });
});

describe('Use case: requestRescore', () => {
  it('records a queued job and asks the rescore queue to start it', async () => {
    const m = memoryPorts(3);

    const job = await requestRescore(m.ports, { asOf: '2025-12-31' });

    expect(job).toMatchObject({ id: 'job_1', status: 'queued', trigger: 'api', asOf: '2025-12-31' });
    expect(job.progress).toEqual({ phase: 'queued', shardsTotal: 2, shardsDone: 0, customersScored: 0, changed: 0 });
    expect(m.jobs.get('job_1')).toMatchObject({ status: 'queued' });
    expect(m.requests).toEqual([{ jobId: 'job_1', asOf: '2025-12-31', trigger: 'api' }]);
  });

  it('refuses a bad as-of day before recording anything', async () => {
    const m = memoryPorts(3);

    await expect(requestRescore(m.ports, { asOf: '2030-01-01' })).rejects.toMatchObject({ name: 'ValidationError' });
    expect(m.jobs.size).toBe(0);
    expect(m.requests).toEqual([]);
  });
});

describe('Use case: fitAndFanOut (phase 1)', () => {
  it('fits the model as of the day, keeps it as the current one and sends one task per shard', async () => {
    const m = memoryPorts(10);
    const job = await requestRescore(m.ports, { asOf: '2025-12-31' });

    const running = await fitAndFanOut(m.ports, { jobId: job.id, asOf: '2025-12-31', trigger: 'api' });

    expect(running).toMatchObject({ status: 'running', asOf: '2025-12-31' });
    expect(m.model()).toMatchObject({ asOf: '2025-12-31', jobId: job.id, sampled: 10 });
    expect(m.model()!.store.customers).toBe(10);
    expect(m.model()!.rfm!.frequency).toHaveLength(4);
    expect(m.tasks).toEqual([
      { jobId: job.id, shard: 'S0', asOf: '2025-12-31' },
      { jobId: job.id, shard: 'S1', asOf: '2025-12-31' },
    ]);
    expect(m.jobs.get(job.id)).toMatchObject({ status: 'running', progress: { phase: 'score', shardsTotal: 2 } });
  });

  it('fits a large base on whole shards until the sample is big enough, and scales the count up to the base', async () => {
    const m = memoryPorts(10);
    const job = await requestRescore(m.ports, { asOf: '2025-12-31' });

    await fitAndFanOut(m.ports, { jobId: job.id, asOf: '2025-12-31', trigger: 'api' }, { sampleTarget: 1 });

    expect(m.model()).toMatchObject({ sampled: 5 });
    expect(m.model()!.store).toMatchObject({ fittedOn: 5, customers: 10 });
    expect(m.tasks).toHaveLength(2);
  });

  it('creates the job itself for the schedule, scoring as of today', async () => {
    const m = memoryPorts(4);

    const job = await fitAndFanOut(m.ports, { trigger: 'schedule' });

    expect(job).toMatchObject({ id: 'job_1', trigger: 'schedule', asOf: '2026-01-10' });
    expect(m.jobs.get('job_1')).toMatchObject({ trigger: 'schedule', status: 'running' });
    expect(m.tasks.map((task) => task.asOf)).toEqual(['2026-01-10', '2026-01-10']);
  });

  it('ignores orders after the as-of day, and leaves a finished job alone', async () => {
    const m = memoryPorts(6);
    const job = await runAll(m, '2025-01-31');

    // As of January 31, every customer has bought once.
    expect(m.model()!.rfm!.frequency).toEqual([1, 1, 1, 1]);
    const tasksBefore = m.tasks.length;
    await fitAndFanOut(m.ports, { jobId: job.id, asOf: '2025-01-31', trigger: 'api' });
    expect(m.tasks.length).toBe(tasksBefore);
    expect(m.jobs.get(job.id)!.status).toBe('succeeded');
  });
});

describe('Use case: scoreShard (phase 2)', () => {
  it('scores every customer once, emits one event per transition and closes the job with the segments', async () => {
    const m = memoryPorts(12);

    const job = await runAll(m);

    expect(job.status).toBe('succeeded');
    expect(job.progress).toMatchObject({ phase: 'done', shardsDone: 2, shardsTotal: 2, customersScored: 12, changed: 12 });
    expect(m.scores.size).toBe(12);
    const transitions = m.history.flatMap((entry) => entry.transitions.map((t) => `${entry.customerId}:${t.kind}:${t.to}`));
    expect(m.published.map((e) => `${e.customerId}:${e.type === 'customer.segment_changed' ? 'segment' : 'stage'}:${e.to}`)).toEqual(
      transitions,
    );
    expect(new Set(m.published.map((e) => e.id)).size).toBe(m.published.length);
    expect([...m.scores.values()].every((s) => s.pendingEvents.length === 0)).toBe(true);
    const segments = job.result!.segments;
    expect(segments.reduce((sum, s) => sum + s.customers, 0)).toBe(12);
    expect(segments.reduce((sum, s) => sum + s.revenueShare, 0)).toBeCloseTo(1, 12);
    expect(m.model()!.segments).toEqual(segments);
  });

  it('writes nothing and emits nothing when rescored with nothing new', async () => {
    const m = memoryPorts(12);
    await runAll(m);
    const writes = m.writes();
    const events = m.published.length;

    const again = await runAll(m);

    expect(again.result).toMatchObject({ customers: 12, changed: 0 });
    expect(m.writes()).toBe(writes);
    expect(m.published.length).toBe(events);
  });

  it('fits the same model and changes nothing on a rerun that reads the shards in another order', async () => {
    const m = memoryPorts(800, { shardCount: 8, pageSize: 50 });
    // A store large and varied enough for a real fit: simulated purchases, CDNOW's parameters.
    const people = simulatePopulation(
      { bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 } },
      { customers: 800, start: '2024-01-01', end: '2026-01-01', random: seededRandom(7) },
    );
    m.data.profiles.forEach((profile, i) => {
      m.data.orders.set(
        profile.id,
        people[i]!.purchases.map((purchase, k) => order(profile.id, k, purchase.at, purchase.valueMinor)),
      );
    });
    await runAll(m);
    const first = m.model()!;
    expect(first.store.sufficient).toBe(true);

    const again = await runAll(m);

    // The job id orders the shards, so the second fit read the customers in another order.
    expect(m.model()!.jobId).not.toBe(first.jobId);
    expect(m.model()!.store).toEqual(first.store);
    expect(again.result).toMatchObject({ customers: 800, changed: 0 });
  });

  it('hands its cursor on when time runs short, and the hand-on finishes the shard exactly once', async () => {
    const m = memoryPorts(8, { shardCount: 1, pageSize: 3 });
    const job = await requestRescore(m.ports, { asOf: '2025-12-31' });
    await fitAndFanOut(m.ports, { jobId: job.id, asOf: '2025-12-31', trigger: 'api' });
    const first = m.tasks.shift()!;
    let checks = 0;
    // Time for two pages, then short.
    await scoreShard(m.ports, first, () => (++checks <= 2 ? plenty() : handOnMarginMs - 1));

    expect(m.tasks).toHaveLength(1);
    expect(m.tasks[0]).toMatchObject({ shard: 'S0', cursor: '6', partial: { customers: 6, changed: 6 } });
    await scoreShard(m.ports, m.tasks.shift()!, plenty);
    expect(m.jobs.get(job.id)).toMatchObject({ status: 'succeeded', progress: { customersScored: 8 } });
    expect(m.scores.size).toBe(8);
  });

  it('does nothing for a shard already reported, so a redelivered task counts once', async () => {
    const m = memoryPorts(4, { shardCount: 1 });
    const job = await requestRescore(m.ports, { asOf: '2025-12-31' });
    await fitAndFanOut(m.ports, { jobId: job.id, asOf: '2025-12-31', trigger: 'api' });
    const task = m.tasks.shift()!;
    await scoreShard(m.ports, task, plenty);
    const report = structuredClone(m.jobs.get(job.id)!.shardReports);

    await scoreShard(m.ports, task, plenty);

    expect(m.jobs.get(job.id)!.shardReports).toEqual(report);
    expect(m.jobs.get(job.id)!.progress.customersScored).toBe(4);
  });
});

describe('Use case: scoreShard, the job around it', () => {
  async function started(m: ReturnType<typeof memoryPorts>) {
    const job = await requestRescore(m.ports, { asOf: '2025-12-31' });
    await fitAndFanOut(m.ports, { jobId: job.id, asOf: '2025-12-31', trigger: 'api' });
    return job;
  }

  it('reports progress after each shard and closes the job only after the last', async () => {
    const m = memoryPorts(6);
    const job = await started(m);

    await scoreShard(m.ports, m.tasks.shift()!, plenty);

    expect(m.jobs.get(job.id)).toMatchObject({ status: 'running', progress: { phase: 'score', shardsDone: 1, shardsTotal: 2, customersScored: 3, changed: 3 } });
    expect(m.jobs.get(job.id)!.result).toBeUndefined();
    await scoreShard(m.ports, m.tasks.shift()!, plenty);
    expect(m.jobs.get(job.id)).toMatchObject({ status: 'succeeded', progress: { phase: 'done', shardsDone: 2, customersScored: 6 } });
  });

  it('scores nothing for a job that failed or does not exist', async () => {
    const m = memoryPorts(4);
    const job = await started(m);
    const [task] = m.tasks;
    await m.ports.jobs.update(job.id, { status: 'failed' });

    await scoreShard(m.ports, task!, plenty);
    await scoreShard(m.ports, { ...task!, jobId: 'job_gone' }, plenty);

    expect(m.scores.size).toBe(0);
  });

  it('goes on with exactly the hand-on margin left, and hands on below it', async () => {
    const m = memoryPorts(2, { shardCount: 1 });
    await started(m);
    const task = m.tasks.shift()!;

    await scoreShard(m.ports, task, () => handOnMarginMs);

    expect(m.tasks).toEqual([]);
    expect(m.scores.size).toBe(2);
  });

  it('keeps the segments on the model only when the model is this job\'s own', async () => {
    const m = memoryPorts(4, { shardCount: 1 });
    const job = await started(m);
    await m.ports.models.put({ ...m.model()!, jobId: 'job_newer' });

    await scoreShard(m.ports, m.tasks.shift()!, plenty);

    expect(m.model()!.segments).toBeUndefined();
    expect(m.jobs.get(job.id)!.result!.segments.length).toBeGreaterThan(0);
  });

  it('averages CLV and P(alive) per segment over the customers the model predicts', async () => {
    const m = memoryPorts(1, { shardCount: 1 });
    const job = await started(m);
    const summaries = [...cdnowHistories().values()].map((purchases) => purchaseSummary(purchases, '1997-09-30', 100)!);
    const model = m.model()!;
    await m.ports.models.put({ ...model, asOf: '1997-09-30', store: fitStoreModel(summaries, '1997-09-30') });
    const task = m.tasks.shift()!;

    await scoreShard(m.ports, { ...task, asOf: '2025-12-31' }, plenty);

    const stored = [...m.scores.values()][0]!;
    expect(stored.scores.clv12m).toBeGreaterThan(0);
    const [segment] = m.jobs.get(job.id)!.result!.segments;
    expect(segment).toMatchObject({ customers: 1, revenueShare: 1, averageClv: stored.scores.clv12m, averagePAlive: stored.scores.pAlive });
    expect(m.jobs.get(job.id)!.result!.sufficient).toBe(true);
  });
});

describe('Use case: applyScore', () => {
  const score = (stage: CustomerScore['stage'], segment: CustomerScore['segment'] = null): CustomerScore => ({
    asOf: '2025-12-31',
    segment,
    stage,
    scores: { r: null, f: null, m: null, pAlive: null, expectedOrders90: null, expectedOrders365: null, clv12m: null, nextOrderAt: null },
    netMinor: 1000,
    currency: 'EUR',
  });

  it('reads again and writes once after a concurrent writer moved the score', async () => {
    const m = memoryPorts(1);
    m.failures.save = 2;

    expect(await applyScore(m.ports, 'cus_0000', score('first_time'))).toBe(true);

    expect(m.scores.get('cus_0000')).toMatchObject({ stage: 'first_time', rev: 1 });
    expect(m.published).toHaveLength(1);
  });

  it('keeps the events of a write whose publish failed, and publishes them on the next call', async () => {
    const m = memoryPorts(1);
    m.failures.publish = 1;

    await expect(applyScore(m.ports, 'cus_0000', score('first_time'))).rejects.toThrow('SQS is down');
    expect(m.scores.get('cus_0000')!.pendingEvents).toHaveLength(1);
    expect(await applyScore(m.ports, 'cus_0000', score('first_time'))).toBe(false);

    expect(m.published).toEqual([expect.objectContaining({ type: 'customer.stage_changed', from: null, to: 'first_time' })]);
    expect(m.scores.get('cus_0000')!.pendingEvents).toEqual([]);
  });

  it('emits a segment and a stage event when both move, from what was stored', async () => {
    const m = memoryPorts(1);
    await applyScore(m.ports, 'cus_0000', score('first_time'));

    await applyScore(m.ports, 'cus_0000', score('repeat', 'loyal'));

    expect(m.published.slice(1).map((e) => [e.type, e.from, e.to])).toEqual([
      ['customer.segment_changed', null, 'loyal'],
      ['customer.stage_changed', 'first_time', 'repeat'],
    ]);
  });
});

describe('Use case: refreshCustomer', () => {
  it('scores one customer at once with the current model, as of today', async () => {
    const m = memoryPorts(5);
    await runAll(m, '2025-12-31');
    const model = m.model();
    const [profile] = m.data.profiles.slice(4);

    await refreshCustomer({ ...m.ports, model: async () => model }, profile!);

    expect(m.scores.get(profile!.id)).toMatchObject({ asOf: '2026-01-10', stage: 'repeat' });
  });
});

describe('Function: summarizeSegments', () => {
  it('adds the shards up, leaves prospects out and averages only predicted customers', () => {
    const shard = (segments: ShardReport['segments']): ShardReport => ({ customers: 0, changed: 0, segments });
    const summary = summarizeSegments([
      shard({ lost: { customers: 2, netMinor: 100, clvSum: 0, pAliveSum: 0, predicted: 0 }, 'stage:prospect': { customers: 9, netMinor: 0, clvSum: 0, pAliveSum: 0, predicted: 0 } }),
      shard({ lost: { customers: 1, netMinor: 200, clvSum: 3, pAliveSum: 0.5, predicted: 1 }, champions: { customers: 1, netMinor: 700, clvSum: 40, pAliveSum: 0.9, predicted: 1 } }),
    ]);

    expect(summary).toEqual([
      { segment: 'lost', customers: 3, revenueShare: 0.3, averageClv: 3, averagePAlive: 0.5 },
      { segment: 'champions', customers: 1, revenueShare: 0.7, averageClv: 40, averagePAlive: 0.9 },
    ]);
  });

  it('orders segments by size then name, and gives no share of no revenue and no average of no prediction', () => {
    const totals = (customers: number) => ({ customers, netMinor: 0, clvSum: 0, pAliveSum: 0, predicted: 0 });

    const summary = summarizeSegments([{ customers: 0, changed: 0, segments: { new: totals(1), lost: totals(1), loyal: totals(2) } }]);

    expect(summary.map((s) => s.segment)).toEqual(['loyal', 'lost', 'new']);
    expect(summary.every((s) => s.revenueShare === 0 && s.averageClv === null && s.averagePAlive === null)).toBe(true);
  });
});
