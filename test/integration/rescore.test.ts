// The rescore against the emulators: orders arrive by signed webhook, each
// customer is scored at once; `POST /admin/rescore` fits the model, fans the
// scoring out over SQS in shards and emits one event per transition; a rerun
// with nothing new changes nothing and emits nothing.
import { randomBytes } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerEvent } from '../../functions/app/rescore';
import { standardHeaders, startTestStack, type TestStack } from '../support/stack';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
let t: TestStack;
/** What reached the customer-events queue's consumer: the campaigns' matcher, stood in for by a recorder. */
const published: CustomerEvent[] = [];
let channel: { id: string; webhookUrl: string };

interface ScoredCustomer {
  id: string;
  segment: string | null;
  stage: string;
  scores: { r: number | null; f: number | null; m: number | null; clv12m: number | null; pAlive: number | null };
  history: { kind: string; from: string | null; to: string | null }[];
}

interface JobView {
  id: string;
  status: string;
  progress: { shardsDone: number; shardsTotal: number; customersScored: number; changed: number };
  result: { customers: number; changed: number } | null;
}

/** Customer n buys (n % 5) + 1 times, a month apart, for (n % 7 + 1) × 10 EUR each. */
const people = Array.from({ length: 24 }, (_, n) => ({
  email: `rescore-${n}-${randomBytes(4).toString('hex')}@example.com`,
  orders: (n % 5) + 1,
  amount: ((n % 7) + 1) * 10,
  firstMonth: 1 + (n % 6),
}));

function orderEvent(orderId: string, email: string, placedAt: string, total: number) {
  return {
    type: 'order.created',
    timestamp: placedAt,
    data: {
      id: orderId,
      placedAt,
      updatedAt: placedAt,
      status: 'open',
      test: false,
      currency: 'EUR',
      total: total.toFixed(2),
      refunds: [],
      discountCodes: [],
      customer: { email },
    },
  };
}

/** The events published since the last call, once the queues are quiet. */
async function drainEvents(): Promise<CustomerEvent[]> {
  await t.settled(60_000);
  return published.splice(0);
}

async function rescoreAndWait(asOf: string): Promise<JobView> {
  const started = await t.api<{ jobId: string }>('/admin/rescore', { body: { asOf } });
  expect(started.status).toBe(202);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { status, body } = await t.api<JobView>(`/admin/jobs/${started.body.jobId}`);
    expect(status).toBe(200);
    if (body.status === 'succeeded' || body.status === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`rescore still ${body.status} after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const customer = (email: string) => t.requireCustomer<ScoredCustomer>(email);

beforeAll(async () => {
  t = await startTestStack({
    handlers: {
      matcher: async (event: SQSEvent) => {
        for (const record of event.Records) {
          const body = JSON.parse(record.body) as CustomerEvent | { kind: string };
          if ('type' in body) published.push(body);
        }
        return { batchItemFailures: [] };
      },
    },
  });
  channel = await t.createChannel({ platform: 'standard', name: 'Rescore shop', webhookSecret: secret });
  const deliveries = people.flatMap((person, n) =>
    Array.from({ length: person.orders }, (_, k) => {
      const placedAt = new Date(Date.UTC(2025, person.firstMonth - 1 + k, 10, 12)).toISOString();
      return orderEvent(`r${n}-${k}`, person.email, placedAt, person.amount);
    }),
  );
  for (const event of deliveries) {
    const body = JSON.stringify(event);
    expect(await t.deliver(channel.webhookUrl, body, standardHeaders(body, secret, `msg_${randomBytes(6).toString('hex')}`))).toBe(200);
  }
  await t.settled(120_000);
}, 240_000);

afterAll(async () => {
  await t?.stop();
});

describe('Rescore (local stack)', () => {
  it('gives each customer a stage at once from their orders, before any model exists', async () => {
    const once = await customer(people[0]!.email);
    const many = await customer(people[4]!.email);

    expect(once).toMatchObject({ stage: 'first_time', segment: null });
    expect(many).toMatchObject({ stage: 'repeat', segment: null });
    // Orders of one customer may be processed together, so the first stage seen may already be repeat.
    const stageMoves = many.history.filter((move) => move.kind === 'stage');
    expect(stageMoves[0]).toMatchObject({ to: 'repeat' });
    expect(stageMoves.at(-1)).toMatchObject({ from: null });
  });

  it('scores every customer in shards, with one event per transition and the same transitions in each history', async () => {
    const before = await drainEvents();
    const job = await rescoreAndWait('2025-12-31');

    expect(job.status).toBe('succeeded');
    expect(job.progress.shardsDone).toBe(job.progress.shardsTotal);
    expect(job.result!.customers).toBe(people.length);
    // Delivery is at least once: two refreshes of one customer may both publish what the first left pending.
    // A repeat carries the same id and the same content, so consumers drop it.
    const byId = new Map<string, CustomerEvent>();
    for (const event of [...before, ...(await drainEvents())]) {
      if (byId.has(event.id)) expect(event).toEqual(byId.get(event.id));
      byId.set(event.id, event);
    }
    const events = [...byId.values()];
    for (const person of people) {
      const scored = await customer(person.email);
      expect(scored.segment).not.toBeNull();
      expect([scored.scores.r, scored.scores.f, scored.scores.m].every((score) => score! >= 1 && score! <= 5)).toBe(true);
      const own = events.filter((event) => event.customerId === scored.id);
      expect(own.map((event) => `${event.type}:${event.to}`).sort()).toEqual(
        scored.history.map((move) => `customer.${move.kind}_changed:${move.to}`).sort(),
      );
    }
  }, 180_000);

  it('changes nothing and emits nothing when rescored with nothing new', async () => {
    await drainEvents();

    const job = await rescoreAndWait('2025-12-31');

    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ customers: people.length, changed: 0 });
    expect(await drainEvents()).toEqual([]);
  }, 180_000);

  it('lists a segment by the byScore index, every member once, and the segments add up', async () => {
    const scored = await Promise.all(people.map((person) => customer(person.email)));
    const bySegment = new Map<string, string[]>();
    for (const c of scored) bySegment.set(c.segment!, [...(bySegment.get(c.segment!) ?? []), c.id]);

    for (const [segment, ids] of bySegment) {
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t.api(
          `/admin/customers?segment=${segment}&sort=clv&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        listed.push(...page.body.items.map((item) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(listed.sort()).toEqual([...ids].sort());
    }
    const segments = await t.api<{ items: { segment: string; customers: number; revenueShare: number }[] }>('/admin/segments');
    expect(segments.body.items.reduce((sum, s) => sum + s.customers, 0)).toBe(people.length);
    expect(segments.body.items.reduce((sum, s) => sum + s.revenueShare, 0)).toBeCloseTo(1, 9);
    for (const s of segments.body.items) expect(s.customers).toBe(bySegment.get(s.segment)?.length);
  }, 120_000);

  it('says there is not enough data to predict for a store this small, rather than printing noise', async () => {
    const model = await t.api<{ sufficient: boolean; customers: number; bgnbd: unknown; asOf: string }>('/admin/model');

    expect(model.status).toBe(200);
    expect(model.body).toMatchObject({ asOf: '2025-12-31', sufficient: false, customers: people.length });
    const someone = await customer(people[3]!.email);
    expect(someone.scores.pAlive).toBeNull();
  });
});
