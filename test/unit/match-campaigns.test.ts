import { describe, expect, it } from 'vitest';
import {
  matchCustomerEvent,
  occurrenceFor,
  runShard,
  startRun,
  tick,
  type CampaignRunJob,
  type MatcherPorts,
  type RunShardTask,
} from '../../functions/app/match-campaigns';
import type { StoredScore } from '../../functions/app/rescore';
import type { SendTask } from '../../functions/app/send-campaign';
import type { Campaign } from '../../functions/domain/campaigns/campaign';
import type { CustomerProfile } from '../../functions/domain/customers';
import { aCampaign, aCustomer } from '../support/memory-campaigns';

function aScore(segment: StoredScore['segment'], nextOrderAt: string | null = null): StoredScore {
  return {
    asOf: '2026-03-09',
    segment,
    stage: 'repeat',
    scores: { r: 1, f: 2, m: 3, pAlive: 0.4, expectedOrders90: 0.2, expectedOrders365: 0.8, clv12m: 40, nextOrderAt },
    netMinor: 5000,
    currency: 'EUR',
    rev: 1,
    pendingEvents: [],
  };
}

function world(options: { campaigns: Campaign[]; customers: CustomerProfile[]; scores?: Record<string, StoredScore>; pageSize?: number }) {
  const tasks: SendTask[] = [];
  const shardTasks: RunShardTask[] = [];
  const jobs = new Map<string, CampaignRunJob>();
  let tickAt: Date | undefined;
  let jobIds = 0;
  const shards = ['S0', 'S1'];
  const shardOf = (id: string) => (Number(id.replace(/\D/g, '')) % 2 === 0 ? 'S0' : 'S1');
  const now = { value: new Date('2026-03-10T12:00:00.000Z') };
  const ports: MatcherPorts = {
    campaigns: {
      active: async () => options.campaigns.filter((c) => c.status === 'active'),
      get: async (id) => options.campaigns.find((c) => c.id === id),
    },
    customers: {
      shards,
      page: async (shard, cursor, limit) => {
        const all = options.customers.filter((c) => shardOf(c.id) === shard);
        const start = cursor ? Number(cursor) : 0;
        const size = Math.min(limit, options.pageSize ?? limit);
        const items = all.slice(start, start + size);
        return { items, nextCursor: start + size < all.length ? String(start + size) : null };
      },
      scoresOf: async (ids) => new Map(ids.flatMap((id) => (options.scores?.[id] ? [[id, options.scores[id]!] as const] : []))),
      one: async (id) => {
        const profile = options.customers.find((c) => c.id === id);
        return profile ? { profile, score: options.scores?.[id] } : undefined;
      },
    },
    jobs: {
      create: async (job) => void jobs.set(job.id, structuredClone(job)),
      update: async (id, fields) => void jobs.set(id, { ...jobs.get(id)!, ...fields }),
      reportShard: async (id, shard, report) => {
        const job = jobs.get(id)!;
        const next = {
          ...job,
          shardsDone: [...new Set([...job.shardsDone, shard])].sort(),
          shardReports: { ...job.shardReports, [shard]: report },
        };
        jobs.set(id, next);
        return structuredClone(next);
      },
    },
    queue: {
      sendTasks: async (t) => void tasks.push(...t),
      runShards: async (t) => void shardTasks.push(...t),
    },
    claimTickWindow: async (at, firstWindowMs) => {
      const from = tickAt ?? new Date(at.getTime() - firstWindowMs);
      if (from >= at) return undefined;
      tickAt = at;
      return { from, to: at };
    },
    now: () => now.value,
    newJobId: () => `job_${++jobIds}`,
  };
  return { ports, tasks, shardTasks, jobs, now };
}

const customers = [
  aCustomer({ id: 'cus_1' }),
  aCustomer({ id: 'cus_2' }),
  aCustomer({ id: 'cus_3', figures: { ...aCustomer().figures, orders: 1 } }),
  aCustomer({ id: 'cus_4' }),
];

const event = (customerId: string, to: string) => ({
  id: `evt_${customerId}_${to}`,
  type: 'customer.segment_changed' as const,
  customerId,
  from: 'loyal',
  to,
  at: '2026-03-10T03:00:00.000Z',
  asOf: '2026-03-10',
});

describe('Use case: matchCustomerEvent', () => {
  it('queues a send for each active campaign the event triggers, for a customer in its audience', async () => {
    const campaigns = [
      aCampaign({ id: 'cmp_1', trigger: { type: 'segment_entered', segment: 'at_risk' } }),
      aCampaign({ id: 'cmp_2', trigger: { type: 'segment_entered', segment: 'at_risk' }, audience: { minOrders: 3 } }),
      aCampaign({ id: 'cmp_3', trigger: { type: 'segment_entered', segment: 'champions' } }),
      aCampaign({ id: 'cmp_4', trigger: { type: 'segment_entered', segment: 'at_risk' }, status: 'paused' }),
      aCampaign({ id: 'cmp_5', trigger: { type: 'segment_entered', segment: 'at_risk' }, repeatAfterDays: 30 }),
    ];
    const w = world({ campaigns, customers, scores: { cus_1: aScore('at_risk') } });

    await matchCustomerEvent(w.ports, event('cus_1', 'at_risk'));

    expect(w.tasks).toEqual([
      { campaignId: 'cmp_1', customerId: 'cus_1', occurrence: 'once', triggerId: 'evt_cus_1_at_risk' },
      { campaignId: 'cmp_5', customerId: 'cus_1', occurrence: 'evt_cus_1_at_risk', triggerId: 'evt_cus_1_at_risk' },
    ]);
  });

  it('leaves the SKU rule to the sender, which reads the orders: a past-buyer campaign still gets its task', async () => {
    const campaign = aCampaign({ trigger: { type: 'segment_entered', segment: 'at_risk' }, audience: { skus: ['TEA-GREEN'], minOrders: 1 } });
    const w = world({ campaigns: [campaign], customers, scores: { cus_1: aScore('at_risk') } });

    await matchCustomerEvent(w.ports, event('cus_1', 'at_risk'));

    expect(w.tasks).toHaveLength(1);
  });

  it('queues nothing for an unknown customer or an event no campaign listens to', async () => {
    const w = world({ campaigns: [aCampaign({ trigger: { type: 'segment_entered', segment: 'at_risk' } })], customers });

    await matchCustomerEvent(w.ports, event('cus_9', 'at_risk'));
    await matchCustomerEvent(w.ports, event('cus_1', 'lost'));

    expect(w.tasks).toEqual([]);
  });
});

describe('Use case: campaign runs', () => {
  it('fans a run out over every shard, queues the audience, and ends the job with its counts', async () => {
    const campaign = aCampaign({ audience: { minOrders: 2 } });
    const w = world({ campaigns: [campaign], customers, pageSize: 1 });

    const job = await startRun(w.ports, campaign, { trigger: 'api', occurrence: 'run:1' });
    expect(job).toMatchObject({ kind: 'campaign-run', status: 'running', trigger: 'api', byDays: false, campaignId: 'cmp_1' });
    expect(w.jobs.get(job.id)).toMatchObject({ status: 'running', progress: { shardsTotal: 2, shardsDone: 0 } });
    expect(w.shardTasks.map((t) => t.shard)).toEqual(['S0', 'S1']);
    expect(w.shardTasks.every((t) => t.kind === 'shard' && t.jobId === job.id && t.occurrence === 'run:1')).toBe(true);
    for (const shardTask of [...w.shardTasks]) await runShard(w.ports, shardTask, () => 600_000);

    expect(w.tasks.map((t) => t.customerId).sort()).toEqual(['cus_1', 'cus_2', 'cus_4']);
    expect(w.tasks.every((t) => t.occurrence === 'once' && t.triggerId === job.id)).toBe(true);
    expect(w.jobs.get(job.id)).toMatchObject({
      status: 'succeeded',
      result: { customers: 4, queued: 3 },
      progress: { shardsTotal: 2, shardsDone: 2, customers: 4, queued: 3 },
    });
  });

  it('hands a shard on with its cursor and counts when time runs short', async () => {
    const campaign = aCampaign();
    const w = world({ campaigns: [campaign], customers, pageSize: 1 });
    const job = await startRun(w.ports, campaign, { trigger: 'api', occurrence: 'once' });
    const s0 = w.shardTasks.find((t) => t.shard === 'S0')!;

    await runShard(w.ports, s0, () => 1_000);

    const handedOn = w.shardTasks.at(-1)!;
    expect(handedOn).toMatchObject({ shard: 'S0', cursor: '1', customers: 1, queued: 1 });
    expect(w.jobs.get(job.id)!.shardsDone).toEqual([]);
    await runShard(w.ports, handedOn, () => 600_000);
    expect(w.jobs.get(job.id)!.shardReports['S0']).toEqual({ customers: 2, queued: 2 });
    // One shard of two is done: the job still runs.
    expect(w.jobs.get(job.id)).toMatchObject({ status: 'running', progress: { shardsDone: 1, customers: 2, queued: 2 } });
  });

  it('stops queueing for a campaign paused mid-run, and still ends the job', async () => {
    const campaign = aCampaign();
    const w = world({ campaigns: [campaign], customers });
    const job = await startRun(w.ports, campaign, { trigger: 'api', occurrence: 'once' });
    campaign.status = 'paused';

    for (const shardTask of [...w.shardTasks]) await runShard(w.ports, shardTask, () => 600_000);

    expect(w.tasks).toEqual([]);
    expect(w.jobs.get(job.id)).toMatchObject({ status: 'succeeded', result: { customers: 0, queued: 0 } });
  });

  it('runs a days-based campaign per customer: only those due, with the day as occurrence when it repeats', async () => {
    const campaign = aCampaign({ trigger: { type: 'before_expected_order', days: 3 }, repeatAfterDays: 60 });
    const w = world({
      campaigns: [campaign],
      customers,
      scores: {
        cus_1: aScore('loyal', '2026-03-12T00:00:00.000Z'),
        cus_2: aScore('loyal', '2026-04-30T00:00:00.000Z'),
      },
    });
    await startRun(w.ports, campaign, { trigger: 'schedule', occurrence: 'once', byDays: true });
    for (const shardTask of [...w.shardTasks]) await runShard(w.ports, shardTask, () => 600_000);

    expect(w.tasks).toEqual([expect.objectContaining({ customerId: 'cus_1', occurrence: 'expected:2026-03-12' })]);
  });
});

describe('Use case: tick', () => {
  it('starts a run for a schedule that fired since the last tick, once', async () => {
    const campaign = aCampaign({ trigger: { type: 'schedule', cron: '0 12 * * *' } });
    const w = world({ campaigns: [campaign, aCampaign({ id: 'cmp_2' })], customers });

    const first = await tick(w.ports);
    const again = await tick(w.ports);

    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ campaignId: 'cmp_1', trigger: 'schedule', occurrence: 'once' });
    expect(again).toEqual([]);
  });

  it('starts the days-based runs once a UTC day, when a tick crosses midnight', async () => {
    const campaign = aCampaign({ trigger: { type: 'days_after_first_order', days: 14 } });
    const w = world({ campaigns: [campaign], customers });
    w.now.value = new Date('2026-03-10T23:50:00.000Z');
    expect(await tick(w.ports)).toEqual([]);

    w.now.value = new Date('2026-03-11T00:05:00.000Z');
    const started = await tick(w.ports);

    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ byDays: true });
  });

  it('starts nothing for a schedule that did not fire since the last tick', async () => {
    const w = world({ campaigns: [aCampaign({ trigger: { type: 'schedule', cron: '0 5 * * *' } })], customers });

    expect(await tick(w.ports)).toEqual([]);
  });

  it('starts the repurchase reminders by day too, and queues nothing by day for a campaign without a day trigger', async () => {
    const reminder = aCampaign({ id: 'cmp_r', trigger: { type: 'before_expected_order', days: 3 } });
    const w = world({ campaigns: [reminder], customers });
    w.now.value = new Date('2026-03-10T23:55:00.000Z');
    await tick(w.ports);
    w.now.value = new Date('2026-03-11T00:10:00.000Z');
    expect(await tick(w.ports)).toEqual([expect.objectContaining({ campaignId: 'cmp_r', byDays: true, occurrence: 'once', trigger: 'schedule' })]);

    const manual = aCampaign({ id: 'cmp_m' });
    const m = world({ campaigns: [manual], customers });
    await startRun(m.ports, manual, { trigger: 'api', occurrence: 'once', byDays: true });
    for (const shardTask of [...m.shardTasks]) await runShard(m.ports, shardTask, () => 600_000);
    expect(m.tasks).toEqual([]);
  });

  it('gives a repeating campaign the fire time as occurrence', () => {
    expect(occurrenceFor({ repeatAfterDays: null }, 'x')).toBe('once');
    expect(occurrenceFor({ repeatAfterDays: 7 }, 'x')).toBe('x');
  });
});
