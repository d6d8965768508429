// The coupon providers against a local fake of the three platforms, which
// checks each request as the platforms document it; and the channels' coupon
// settings through the admin API of the local stack.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getChannel } from '../../functions/adapters/channel-store';
import { couponProviderFor } from '../../functions/adapters/coupons';
import { wooCommerceCouponBody } from '../../functions/domain/campaigns/coupon-requests';
import type { CouponSettings } from '../../functions/domain/channels';
import { CouponRejectedError, CouponUnavailableError } from '../../functions/shared/errors';
import { aCouponRequest } from '../support/builders';
import { FakeCouponPlatforms, fakeCredentials } from '../support/fake-coupon-platforms';
import { startTestStack, type TestStack } from '../support/stack';

const local = { policy: { allowLoopback: true } };
const deployed = { policy: { allowLoopback: false } };

const request = aCouponRequest;

let fake: FakeCouponPlatforms;

const settings = {
  shopify: (): CouponSettings => ({
    provider: 'shopify',
    shopDomain: fakeCredentials.shopify.shopDomain,
    adminApiBaseUrl: fake.baseUrl,
    credentials: { accessToken: fakeCredentials.shopify.accessToken },
  }),
  woocommerce: (): CouponSettings => ({
    provider: 'woocommerce',
    siteUrl: 'https://shop.example.com',
    adminApiBaseUrl: fake.baseUrl,
    credentials: { consumerKey: fakeCredentials.woocommerce.consumerKey, consumerSecret: fakeCredentials.woocommerce.consumerSecret },
  }),
  bigcommerce: (): CouponSettings => ({
    provider: 'bigcommerce',
    storeHash: fakeCredentials.bigcommerce.storeHash,
    adminApiBaseUrl: fake.baseUrl,
    credentials: { accessToken: fakeCredentials.bigcommerce.accessToken },
  }),
};
type Platform = keyof typeof settings;

/** The provider of a channel with these settings, credentials replaced when `credentials` is given. */
function provider(platform: Platform, credentials?: Record<string, string>) {
  const coupons = settings[platform]();
  const found = couponProviderFor({ coupons: credentials ? ({ ...coupons, credentials } as CouponSettings) : coupons }, local);
  if (!found) throw new Error('no provider');
  return found;
}

beforeAll(async () => {
  fake = await FakeCouponPlatforms.start();
});
afterAll(() => fake?.close());
beforeEach(() => fake.reset());
afterEach(() => {
  // Every request the providers sent had the documented shape.
  expect(fake.problems).toEqual([]);
});

describe('Adapter: Shopify coupon provider', () => {
  it('creates a basic code discount for the customer with the percentage as a fraction', async () => {
    const issued = await provider('shopify').create(request({ spec: { kind: 'percent', value: 15, expiresInDays: 14, minSubtotalMinor: 5000 } }));

    const [sent] = fake.seen;
    expect(sent).toMatchObject({ method: 'POST', path: '/admin/api/2025-01/graphql.json' });
    expect(sent?.headers).toMatchObject({ 'x-shopify-access-token': 'shpat_fake_token', 'content-type': 'application/json' });
    const input = (sent?.body as { variables: { basicCodeDiscount: Record<string, unknown> } }).variables.basicCodeDiscount;
    expect(input).toEqual({
      title: 'huitou win_back',
      code: 'HT7QX2M9KD4P',
      startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      endsAt: '2026-03-15T12:00:00Z',
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerSelection: { customers: { add: ['gid://shopify/Customer/7008'] } },
      customerGets: { value: { percentage: 0.15 }, items: { all: true } },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: '50.00' } },
    });
    expect(issued).toEqual({ code: 'HT7QX2M9KD4P', platformId: fake.shopifyDiscounts.get('ht7qx2m9kd4p')?.id });
  });

  it('sends a fixed amount off the order, and opens the code to any customer when their Shopify id is unknown', async () => {
    await provider('shopify').create(request({ spec: { kind: 'fixed', value: 10, expiresInDays: 7 }, platformCustomerId: null }));

    const input = fake.shopifyDiscounts.get('ht7qx2m9kd4p')?.input;
    expect(input?.['customerGets']).toEqual({ value: { discountAmount: { amount: '10.00', appliesOnEachItem: false } }, items: { all: true } });
    expect(input?.['customerSelection']).toEqual({ all: true });
  });

  it('returns the same discount when created again after a crash (the code is taken)', async () => {
    const first = await provider('shopify').create(request());
    const again = await provider('shopify').create(request());

    expect(again).toEqual(first);
    expect(fake.shopifyDiscounts.size).toBe(1);
    expect((fake.seen[2]?.body as { query: string }).query).toContain('codeDiscountNodeByCode');
  });

  it('rejects for good on a wrong token, without the token in the message', async () => {
    const creating = provider('shopify', { accessToken: 'shpat_revoked' }).create(request());

    await expect(creating).rejects.toThrow(CouponRejectedError);
    await expect(creating).rejects.toThrow(/401/);
    await expect(creating).rejects.not.toThrow(/shpat_/);
  });
});

describe('Adapter: WooCommerce coupon provider', () => {
  it('creates a coupon limited to the customer email, one use, alone in the cart', async () => {
    const fixedWithMinimum = request({ spec: { kind: 'fixed', value: 12.5, expiresInDays: 14, minSubtotalMinor: 4000 } });
    const issued = await provider('woocommerce').create(fixedWithMinimum);

    const [sent] = fake.seen;
    const { consumerKey, consumerSecret } = fakeCredentials.woocommerce;
    expect(sent).toMatchObject({ method: 'POST', path: '/wp-json/wc/v3/coupons' });
    expect(sent?.headers).toMatchObject({
      authorization: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`,
      'content-type': 'application/json',
    });
    // Exactly the body the domain builds (its fields are unit-tested), in the shape the fake checks.
    expect(sent?.body).toEqual(wooCommerceCouponBody(fixedWithMinimum));
    expect(sent?.body).toMatchObject({ discount_type: 'fixed_cart', amount: '12.50', minimum_amount: '40.00', email_restrictions: ['ada@example.com'] });
    expect(issued).toEqual({ code: 'HT7QX2M9KD4P', platformId: String(fake.wooCoupons.get('ht7qx2m9kd4p')?.['id']) });
  });

  it('sends a percent coupon as the percentage itself', async () => {
    await provider('woocommerce').create(request());

    expect(fake.wooCoupons.get('ht7qx2m9kd4p')).toMatchObject({ discount_type: 'percent', amount: '15.00' });
    expect(fake.seen[0]?.body).toMatchObject({ amount: '15' });
  });

  it('returns the existing coupon when created again after a crash', async () => {
    const first = await provider('woocommerce').create(request());
    const again = await provider('woocommerce').create(request());

    expect(again).toEqual(first);
    expect(fake.wooCoupons.size).toBe(1);
    expect(fake.seen[2]).toMatchObject({ method: 'GET', path: '/wp-json/wc/v3/coupons', query: { code: 'HT7QX2M9KD4P' } });
  });

  it('rejects for good on wrong keys', async () => {
    const creating = provider('woocommerce', { consumerKey: 'ck_other', consumerSecret: 'cs_other' }).create(request());

    await expect(creating).rejects.toThrow(CouponRejectedError);
    await expect(creating).rejects.toThrow(/401: woocommerce_rest_cannot_create/);
  });
});

describe('Adapter: BigCommerce coupon provider', () => {
  it('creates a coupon promotion, then its one single-use code', async () => {
    const issued = await provider('bigcommerce').create(request({ spec: { kind: 'percent', value: 20, expiresInDays: 14, minSubtotalMinor: 2500 } }));

    expect(fake.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /stores/abc123/v3/promotions',
      'POST /stores/abc123/v3/promotions',
      `POST /stores/abc123/v3/promotions/${issued.platformId}/codes`,
    ]);
    for (const sent of fake.seen) expect(sent.headers).toMatchObject({ 'x-auth-token': 'bc_fake_token', accept: 'application/json' });
    expect(fake.seen[1]?.body).toEqual({
      name: 'huitou win_back (HT7QX2M9KD4P)',
      redemption_type: 'COUPON',
      rules: [{ action: { cart_value: { discount: { percentage_amount: '20' } } }, apply_once: true, condition: { cart: { minimum_spend: '25.00' } } }],
      max_uses: 1,
      status: 'ENABLED',
      start_date: expect.stringMatching(/Z$/),
      end_date: '2026-03-15T12:00:00Z',
      can_be_used_with_other_promotions: false,
      currency_code: 'USD',
    });
    expect(fake.seen[2]?.body).toEqual({ code: 'HT7QX2M9KD4P', max_uses: 1, max_uses_per_customer: 1 });
    expect(fake.bigCommerceCodes.get('HT7QX2M9KD4P')?.promotionId).toBe(Number(issued.platformId));
  });

  it('returns the same code when created again after a crash', async () => {
    const first = await provider('bigcommerce').create(request());
    const again = await provider('bigcommerce').create(request());

    expect(again).toEqual(first);
    expect(fake.bigCommercePromotions.size).toBe(1);
    expect(fake.bigCommerceCodes.size).toBe(1);
  });

  it('reuses its promotion when the code failed after the promotion was made', async () => {
    fake.failNext(500, 1, /\/codes$/);
    await expect(provider('bigcommerce').create(request({ spec: { kind: 'fixed', value: 5, expiresInDays: 3 } }))).rejects.toThrow(CouponUnavailableError);

    const issued = await provider('bigcommerce').create(request({ spec: { kind: 'fixed', value: 5, expiresInDays: 3 } }));

    expect(fake.bigCommercePromotions.size).toBe(1);
    expect(fake.bigCommercePromotions.get(Number(issued.platformId))?.['rules']).toEqual([
      { action: { cart_value: { discount: { fixed_amount: '5.00' } } }, apply_once: true },
    ]);
    expect(fake.bigCommerceCodes.get('HT7QX2M9KD4P')).toMatchObject({ promotionId: Number(issued.platformId) });
  });

  it('rejects for good on a wrong token', async () => {
    await expect(provider('bigcommerce', { accessToken: 'bc_revoked' }).create(request())).rejects.toThrow(CouponRejectedError);
  });
});

describe('Adapter: coupon providers, common', () => {
  it.each(['shopify', 'woocommerce', 'bigcommerce'] as const)('%s: is unavailable (retry later) on 500 and 429, then creates', async (platform) => {
    fake.failNext(500);
    await expect(provider(platform).create(request())).rejects.toThrow(CouponUnavailableError);
    fake.failNext(429);
    await expect(provider(platform).create(request())).rejects.toThrow(CouponUnavailableError);

    await expect(provider(platform).create(request())).resolves.toMatchObject({ code: 'HT7QX2M9KD4P' });
  });

  it('keeps the code in huitou only with provider none, and has no provider without settings', async () => {
    expect(await couponProviderFor({ coupons: { provider: 'none' } })?.create(request())).toEqual({ code: 'HT7QX2M9KD4P', platformId: null });
    expect(couponProviderFor({})).toBeUndefined();
  });

  it('is unavailable when the platform cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const unreachable = couponProviderFor({ coupons: { ...settings.woocommerce(), adminApiBaseUrl: `http://127.0.0.1:${port}` } as CouponSettings }, local);

    await expect(unreachable?.create(request())).rejects.toThrow(CouponUnavailableError);
  });

  it('never sends credentials to a stored URL the policy refuses, nor needs a currency it was not given', async () => {
    for (const platform of ['shopify', 'woocommerce', 'bigcommerce'] as const) {
      const coupons = { ...settings[platform](), adminApiBaseUrl: fake.baseUrl } as CouponSettings;
      await expect(couponProviderFor({ coupons }, deployed)?.create(request()), platform).rejects.toThrow(CouponRejectedError);
      const fixed = request({ spec: { kind: 'fixed', value: 5, expiresInDays: 3 }, currency: null });
      await expect(couponProviderFor({ coupons }, local)?.create(fixed), platform).rejects.toThrow(/needs the channel currency/);
    }
    expect(fake.seen).toEqual([]);
  });
});

describe('Admin API: channel coupon settings', () => {
  let t: TestStack;
  type Json = Record<string, any>;

  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(() => t?.stop());

  const shopify = () => ({
    platform: 'shopify',
    name: 'Shop',
    webhookSecret: 's',
    currency: 'USD',
    coupons: {
      provider: 'shopify',
      shopDomain: 'Huitou-Test.myshopify.com',
      adminApiBaseUrl: fake.baseUrl,
      credentials: { accessToken: fakeCredentials.shopify.accessToken },
    },
  });

  it('stores the settings and shows them without the credentials', async () => {
    const created = await t.api<Json>('/admin/channels', { body: shopify() });

    expect(created.status).toBe(201);
    const view = { provider: 'shopify', shopDomain: 'huitou-test.myshopify.com', adminApiBaseUrl: fake.baseUrl, credentials: 'set' };
    expect(created.body['coupons']).toEqual(view);
    const shown = await t.api<Json>(`/admin/channels/${created.body['id']}`);
    const listed = await t.api<Json>('/admin/channels');
    expect(shown.body['coupons']).toEqual(view);
    expect(JSON.stringify([created.body, shown.body, listed.body])).not.toContain(fakeCredentials.shopify.accessToken);

    // The stored settings mint at the store.
    const stored = await getChannel(t.stack.tableName, created.body['id']);
    await couponProviderFor(stored ?? {}, local)?.create(request());
    expect(fake.shopifyDiscounts.size).toBe(1);
  });

  it('changes settings with PATCH, keeping stored credentials of the same provider, and removes them with null', async () => {
    const { body: channel } = await t.api<Json>('/admin/channels', { body: shopify() });
    const patch = (coupons: unknown) => t.api<Json>(`/admin/channels/${channel['id']}`, { method: 'PATCH', body: { coupons } });

    const moved = await patch({ provider: 'shopify', shopDomain: 'other-shop.myshopify.com', adminApiBaseUrl: fake.baseUrl });
    expect(moved.status).toBe(200);
    expect(moved.body['coupons']).toMatchObject({ shopDomain: 'other-shop.myshopify.com', credentials: 'set' });
    const stored = await getChannel(t.stack.tableName, channel['id']);
    expect(stored?.coupons).toMatchObject({ credentials: { accessToken: fakeCredentials.shopify.accessToken } });

    expect((await patch({ provider: 'none' })).body['coupons']).toEqual({ provider: 'none' });
    const noKeys = await patch({ provider: 'shopify', shopDomain: 'other-shop.myshopify.com' });
    expect(noKeys.status).toBe(400);
    expect((await patch(null)).body['coupons']).toBeNull();
  });

  it('answers 400 for a provider the platform does not allow', async () => {
    const standard = await t.api<Json>('/admin/channels', {
      body: { platform: 'standard', name: 'Std', webhookSecret: 's', coupons: shopify().coupons },
    });
    const crossed = await t.api<Json>('/admin/channels', {
      body: { ...shopify(), coupons: { provider: 'bigcommerce', storeHash: 'abc123', credentials: { accessToken: 'x' } } },
    });
    const unknown = await t.api<Json>('/admin/channels', { body: { ...shopify(), coupons: { provider: 'magento' } } });
    const { body: channel } = await t.api<Json>('/admin/channels', { body: shopify() });
    const patched = await t.api<Json>(`/admin/channels/${channel['id']}`, {
      method: 'PATCH',
      body: { coupons: { provider: 'woocommerce', siteUrl: 'https://shop.example.com', credentials: { consumerKey: 'k', consumerSecret: 's' } } },
    });

    expect([standard.status, crossed.status, unknown.status, patched.status]).toEqual([400, 400, 400, 400]);
    expect((await t.api<Json>('/admin/channels', { body: { platform: 'standard', name: 'Std', webhookSecret: 's', coupons: { provider: 'none' } } })).status).toBe(201);
  });

  it('answers 400 for hostile URLs and domains, and never echoes a credential', async () => {
    const woo = (where: Record<string, unknown>) => ({
      platform: 'woocommerce',
      name: 'Woo',
      webhookSecret: 's',
      coupons: { provider: 'woocommerce', siteUrl: 'https://shop.example.com', credentials: { consumerKey: 'ck_secret_value', consumerSecret: 'cs_secret_value' }, ...where },
    });
    const bodies = [
      woo({ siteUrl: 'http://169.254.169.254/latest/meta-data' }),
      woo({ siteUrl: 'file:///etc/passwd' }),
      woo({ siteUrl: 'https://10.0.0.7/' }),
      woo({ siteUrl: 'https://user:pass@shop.example.com' }),
      woo({ adminApiBaseUrl: 'https://[fd00:ec2::254]/' }),
      woo({ adminApiBaseUrl: 'http://shop.example.com' }),
      { ...shopify(), coupons: { ...shopify().coupons, shopDomain: 'evil.example.com' } },
      { ...shopify(), coupons: { ...shopify().coupons, shopDomain: 'x.myshopify.com@169.254.169.254' } },
      { ...shopify(), coupons: { ...shopify().coupons, shopDomain: 'x.myshopify.com/../..' } },
      { platform: 'bigcommerce', name: 'BC', webhookSecret: 's', apiBaseUrl: 'https://api.bigcommerce.com/stores/abc', apiToken: 't', coupons: { provider: 'bigcommerce', storeHash: '../abc', credentials: { accessToken: 'x' } } },
      woo({ extra: true }),
    ];

    for (const body of bodies) {
      const answer = await t.api<Json>('/admin/channels', { body });
      expect(answer.status, JSON.stringify(body.coupons)).toBe(400);
      expect(JSON.stringify(answer.body)).not.toContain('secret_value');
    }
  });
});
