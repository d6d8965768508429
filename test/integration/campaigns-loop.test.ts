// The whole campaign loop on the local stack, as a store lives it: signed
// Shopify orders → a rescore → segment events → the matcher → the sender,
// which mints a code at the store (a local fake of Shopify's Admin API that
// checks the documented request) and mails it through the SES emulator → the
// customer orders again with that code → the campaign's stats show the
// redemption, the revenue and the conversion.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segments } from '../../functions/domain/scoring/rfm';
import { FakeCouponPlatforms, fakeCredentials } from '../support/fake-coupon-platforms';
import { shopifyHeaders, startTestStack, type TestStack } from '../support/stack';

type Json = Record<string, any>;

const secret = 'shpss_loop_secret';
let t: TestStack;
let fake: FakeCouponPlatforms;
let channel: { id: string; webhookUrl: string };
let orderIds = 5_000_000;

const people = Array.from({ length: 3 }, (_, n) => ({
  email: `loop-${n}-${randomBytes(3).toString('hex')}@example.com`,
  shopifyCustomerId: 7_000_000 + n,
}));

function shopifyOrder(person: (typeof people)[number], placedAt: string, total: string, discountCodes: string[] = []): Json {
  const id = orderIds++;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    email: person.email,
    created_at: placedAt,
    updated_at: placedAt,
    processed_at: placedAt,
    currency: 'EUR',
    presentment_currency: 'EUR',
    financial_status: 'paid',
    test: false,
    total_price: total,
    total_price_set: { shop_money: { amount: total, currency_code: 'EUR' }, presentment_money: { amount: total, currency_code: 'EUR' } },
    discount_codes: discountCodes.map((code) => ({ code, amount: '1.00', type: 'percentage' })),
    line_items: [{ id: id * 10, title: 'Green tea', sku: 'TEA-GREEN', quantity: 1, price: total }],
    refunds: [],
    customer: {
      id: person.shopifyCustomerId,
      email: person.email,
      first_name: 'Ada',
      last_name: `Loop${person.shopifyCustomerId}`,
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: '2025-01-01T00:00:00Z' },
    },
  };
}

async function deliver(order: Json): Promise<void> {
  const body = JSON.stringify(order);
  expect(await t.deliver(channel.webhookUrl, body, shopifyHeaders(body, secret, 'orders/create', `wh-${order.id}`))).toBe(200);
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: { name: string; value: string }[];
  rawMessage?: string;
}

const sesStore = async (): Promise<StoredMail[]> => {
  const response = await fetch(`${t.stack.endpoints.ses}/store`);
  return ((await response.json()) as { emails: StoredMail[] }).emails;
};

const mailTo = (mails: StoredMail[], email: string) => mails.filter((mail) => mail.destination.to.includes(email));
const textOf = (mail: StoredMail) => `${mail.body.text ?? ''}\n${mail.rawMessage ?? ''}`;

const campaignOfSegment = new Map<string, string>();

beforeAll(async () => {
  fake = await FakeCouponPlatforms.start();
  t = await startTestStack();
  const created = await t.api<{ id: string; webhookUrl: string }>('/admin/channels', {
    body: {
      platform: 'shopify',
      name: 'Loop Tea Shop',
      webhookSecret: secret,
      coupons: {
        provider: 'shopify',
        shopDomain: fakeCredentials.shopify.shopDomain,
        adminApiBaseUrl: fake.baseUrl,
        credentials: { accessToken: fakeCredentials.shopify.accessToken },
      },
    },
  });
  expect(created.status).toBe(201);
  channel = created.body;
  // One campaign per segment, as a store with a flow for each would have: whichever segment a customer enters, one campaign meets them.
  for (const segment of segments) {
    const campaign = await t.api<{ id: string }>('/admin/campaigns', {
      body: {
        name: `Flow for ${segment}`,
        trigger: { type: 'segment_entered', segment },
        message: { template: 'win_back' },
        coupon: { kind: 'percent', value: 15, expiresInDays: 14 },
        holdoutPercent: 0,
        status: 'active',
      },
    });
    expect(campaign.status).toBe(201);
    campaignOfSegment.set(segment, campaign.body.id);
  }
  // Two orders each, months apart, so the rescore has purchase histories to score.
  for (const [n, person] of people.entries()) {
    await deliver(shopifyOrder(person, `2025-0${n + 1}-10T12:00:00Z`, '40.00'));
    await deliver(shopifyOrder(person, `2025-0${n + 4}-10T12:00:00Z`, '60.00'));
  }
  await t.settled(120_000);
}, 300_000);

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

describe('Flow: orders → rescore → segment event → coupon and email → an order with the code → stats', () => {
  it('closes the loop', async () => {
    const started = await t.api<{ jobId: string }>('/admin/rescore', { body: {} });
    expect(started.status).toBe(202);
    await waitFor('rescore', async () => (await t.api<{ status: string }>(`/admin/jobs/${started.body.jobId}`)).body.status, (s) => s === 'succeeded');

    // Each customer entered a segment; its campaign mailed them one code the store created.
    const mails = await waitFor('mails', sesStore, (all) => people.every((person) => mailTo(all, person.email).length === 1));
    await t.settled(120_000);
    expect(fake.problems).toEqual([]);
    const first = people[0]!;
    const [mail] = mailTo(await sesStore(), first.email);
    const code = /HT-[A-Z0-9-]+/.exec(textOf(mail!))?.[0];
    expect(code).toBeDefined();
    expect(fake.shopifyDiscounts.get(code!.toLowerCase())?.input).toMatchObject({ code, usageLimit: 1 });
    expect(mails.length).toBe(people.length);
    expect(JSON.stringify(mail)).toContain('List-Unsubscribe-Post');

    const segmentOf = async (email: string) => (await t.requireCustomer<{ segment: string }>(email)).segment;
    const segment = await segmentOf(first.email);
    const campaignId = campaignOfSegment.get(segment)!;
    let mailedBySameCampaign = 0;
    for (const person of people) if ((await segmentOf(person.email)) === segment) mailedBySameCampaign += 1;

    // The customer comes back with the code.
    await deliver(shopifyOrder(first, new Date().toISOString(), '80.00', [code!]));
    await t.settled(120_000);

    const stats = await waitFor(
      'stats',
      async () => (await t.api<Json>(`/admin/campaigns/${campaignId}/stats`)).body,
      (s) => s.redeemed === 1 && s.delivered >= 1,
    );
    expect(stats).toMatchObject({
      sent: mailedBySameCampaign,
      holdout: 0,
      redeemed: 1,
      revenueMinor: 8000,
      conversion: { treated: 1 / mailedBySameCampaign, holdout: null, uplift: null },
    });

    // A rerun of the rescore with nothing new mails nobody again.
    const rerun = await t.api<{ jobId: string }>('/admin/rescore', { body: {} });
    await waitFor('rerun', async () => (await t.api<{ status: string }>(`/admin/jobs/${rerun.body.jobId}`)).body.status, (s) => s === 'succeeded');
    await t.settled(120_000);
    expect(mailTo(await sesStore(), first.email)).toHaveLength(1);
  }, 300_000);
});
