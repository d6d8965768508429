// `huitou import` end to end against the local stack: the CLI streams a file
// through POST /admin/channels/{channelId}/orders/import, the admin function
// records each order through the webhooks' own order path, and every
// assertion reads back through the admin API.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import { cdnowTransactionsText } from '../support/cdnow';
import { shopifyHeaders, startTestStack, type TestStack } from '../support/stack';
import type { CustomerDetail, CustomerView } from '../support/shapes';

const fixtures = new URL('../fixtures/import/', import.meta.url);
const shopifySecret = `shpss_${randomBytes(8).toString('hex')}`;
let t: TestStack;
let dir: string;
const channels: Record<'shopify' | 'woocommerce' | 'standard' | 'cdnow', string> = {
  shopify: '',
  woocommerce: '',
  standard: '',
  cdnow: '',
};
let shopifyWebhookUrl: string;

beforeAll(async () => {
  t = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'huitou-import-'));
  const shopify = await t.createChannel({ platform: 'shopify', name: 'Tea shop', webhookSecret: shopifySecret });
  channels.shopify = shopify.id;
  shopifyWebhookUrl = shopify.webhookUrl;
  channels.woocommerce = (await t.createChannel({ platform: 'woocommerce', name: 'Woo', webhookSecret: 'wc' })).id;
  channels.standard = (await t.createChannel({ platform: 'standard', name: 'Own shop', webhookSecret: `whsec_${randomBytes(24).toString('base64')}` })).id;
  channels.cdnow = (await t.createChannel({ platform: 'standard', name: 'CDNOW', webhookSecret: `whsec_${randomBytes(24).toString('base64')}` })).id;
}, 120_000);

afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  imported: number;
  duplicates: number;
  rejected: { line: number; reason: string }[];
  rows: number;
}

async function importFile(channelId: string, format: string, file: string) {
  let stdout = '';
  let stderr = '';
  const code = await run(
    ['import', '--channel', channelId, '--format', format, file, '--json', '--api-url', t.stack.apiUrl, '--api-key', t.stack.adminKey],
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { XDG_RUNTIME_DIR: dir },
      cwd: dir,
    },
  );
  expect(stderr).not.toContain('error');
  expect(code).toBe(0);
  return JSON.parse(stdout) as Summary;
}

const fixture = (name: string) => new URL(name, fixtures).pathname;
const figuresOf = async (email: string) => (await t.requireCustomer<CustomerDetail>(email)).figures;

async function channelCustomers(channelId: string): Promise<CustomerView[]> {
  const all: CustomerView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/admin/customers?channel=${channelId}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await t.api<{ items: CustomerView[]; nextCursor: string | null }>(query);
    expect(page.status).toBe(200);
    all.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return all;
}

describe('huitou import (local stack)', () => {
  it('imports a Shopify export, one order from the rows of its line items', async () => {
    const summary = await importFile(channels.shopify, 'shopify-orders-csv', fixture('shopify-orders.csv'));

    expect(summary).toMatchObject({ imported: 5, duplicates: 0, rejected: [], rows: 8 });
    const ada = await t.requireCustomer<CustomerDetail>('ada@example.com');
    expect(ada.figures).toMatchObject({ orders: 2, grossMinor: 14550, refundedMinor: 1000, netMinor: 13550, currency: 'USD' });
    expect(ada.orders.map((o) => [o.orderId, o.orderNumber, o.totalMinor, o.refundedMinor, o.discountCodes])).toEqual(
      expect.arrayContaining([
        ['820982911946154508', '#1001', 10000, 0, ['SPRING']],
        ['820982911946154509', '#1002', 4550, 1000, []],
      ]),
    );
    expect(ada.orders.find((o) => o.orderNumber === '#1001')?.lineItems).toEqual([
      { sku: 'TEA-SEN', title: 'Sencha, 100 g', quantity: 1 },
      { sku: 'CUP-1', title: 'Cup', quantity: 1 },
    ]);
    expect(ada.consent.email).toBe('subscribed');
    // #1004 was voided (not counted); #1005 was refunded in full.
    expect(await figuresOf('grace@example.com')).toMatchObject({ orders: 1, grossMinor: 3500, refundedMinor: 3500, netMinor: 0 });
    const guests = await channelCustomers(channels.shopify);
    expect(guests.find((c) => c.phone === '+16135550123')?.figures).toMatchObject({ orders: 1, grossMinor: 2000 });
  });

  it('imports a WooCommerce export with a BOM and CRLF line ends', async () => {
    const summary = await importFile(channels.woocommerce, 'woocommerce-orders-csv', fixture('woocommerce-orders.csv'));

    expect(summary).toMatchObject({ imported: 4, duplicates: 0, rejected: [] });
    // 729 was never paid: kept, not counted.
    expect(await figuresOf('lin@example.com')).toMatchObject({ orders: 2, grossMinor: 8450, refundedMinor: 450, currency: 'EUR' });
    expect(await figuresOf('max@example.com')).toMatchObject({ orders: 1, grossMinor: 1200 });
  });

  it('reports the bad rows of a generic csv by line and imports the rest', async () => {
    const summary = await importFile(channels.standard, 'csv', fixture('generic-orders.csv'));

    expect(summary.imported).toBe(3);
    expect(summary.rejected).toEqual([
      { line: 4, reason: 'invalid order: customer_id, email, phone: at least one is required' },
      { line: 5, reason: 'invalid order: total: must not be negative' },
      { line: 6, reason: expect.stringContaining('created_at: Invalid date') },
    ]);
    expect(await figuresOf('ann@example.com')).toMatchObject({ orders: 2, grossMinor: 2500, refundedMinor: 100 });
    expect(await figuresOf('bob@example.com')).toMatchObject({ orders: 1, grossMinor: 0 });
  });

  it('changes nothing when the same file is imported again: every order is a duplicate', async () => {
    const before = await Promise.all(['ada@example.com', 'grace@example.com', 'ann@example.com', 'lin@example.com'].map(figuresOf));

    const shopify = await importFile(channels.shopify, 'shopify-orders-csv', fixture('shopify-orders.csv'));
    const generic = await importFile(channels.standard, 'csv', fixture('generic-orders.csv'));
    const woo = await importFile(channels.woocommerce, 'woocommerce-orders-csv', fixture('woocommerce-orders.csv'));

    expect([shopify.imported, shopify.duplicates]).toEqual([0, 5]);
    expect([generic.imported, generic.duplicates, generic.rejected.length]).toEqual([0, 3, 3]);
    expect([woo.imported, woo.duplicates]).toEqual([0, 4]);
    const after = await Promise.all(['ada@example.com', 'grace@example.com', 'ann@example.com', 'lin@example.com'].map(figuresOf));
    expect(after).toEqual(before);
  });

  it('keeps figures exact when the store\'s webhook for an order comes before or during the import', async () => {
    const base = JSON.parse(
      readFileSync(new URL('../fixtures/marketplaces/shopify/orders_updated.derived-from-official-rest.json', import.meta.url), 'utf8'),
    );
    const target = (n: number) => ({ id: 9_000_000 + n, email: `race-${n}@example.com`, customerId: 7_000_000 + n });
    /** The store's newer version of the order: total 50.00, one refund of 20.00 by id. */
    const webhook = async (n: number) => {
      const { id, email, customerId } = target(n);
      const refund = base.refunds[0];
      const body = JSON.stringify({
        ...base,
        id,
        name: `#R${n}`,
        email,
        contact_email: email,
        customer: { ...base.customer, id: customerId, email },
        created_at: '2024-05-01T10:00:00-04:00',
        processed_at: '2024-05-01T10:00:00-04:00',
        updated_at: '2024-05-02T10:00:00-04:00',
        total_price: '50.00',
        total_price_set: { shop_money: { amount: '50.00', currency_code: 'USD' }, presentment_money: { amount: '50.00', currency_code: 'USD' } },
        refunds: [{ ...refund, id: 800 + n, order_id: id, transactions: [{ ...refund.transactions[0], amount: '20.00', currency: 'USD' }] }],
      });
      expect(await t.deliver(shopifyWebhookUrl, body, shopifyHeaders(body, shopifySecret, 'orders/updated', `race-${n}`))).toBe(200);
    };
    // The export: 400 other orders around the two the webhooks also send, each refunded 20.00 in all.
    const header = 'Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem price,Refunded Amount,Id';
    const lines = [header];
    for (let i = 0; i < 400; i += 1) {
      if (i === 50 || i === 350) {
        const n = i === 50 ? 1 : 2;
        const { id, email } = target(n);
        lines.push(`#R${n},${email},partially_refunded,2024-05-01 10:00:00 -0400,USD,50.00,2024-05-01 10:00:00 -0400,50.00,20.00,${id}`);
      }
      lines.push(`#B${i},bulk-${i}@example.com,paid,2024-05-01 09:00:00 -0400,USD,10.00,2024-05-01 09:00:00 -0400,10.00,0.00,${8_000_000 + i}`);
    }
    const file = join(dir, 'race.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    await webhook(1);
    await t.settled();
    const importing = importFile(channels.shopify, 'shopify-orders-csv', file);
    await webhook(2);
    const summary = await importing;
    await t.settled();

    expect(summary.rejected).toEqual([]);
    expect(summary.imported + summary.duplicates).toBe(402);
    for (const n of [1, 2]) {
      const customer = await t.requireCustomer<CustomerDetail>(target(n).email);
      expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 5000, refundedMinor: 2000, netMinor: 3000 });
      expect(customer.orders).toEqual([expect.objectContaining({ orderId: String(target(n).id), refundedMinor: 2000 })]);
    }
  }, 300_000);

  it('imports the CDNOW sample: 2,357 customers with exact totals', async () => {
    const text = cdnowTransactionsText();
    const lines = ['order_id,customer_id,created_at,total,currency'];
    const expected = new Map<string, { orders: number; grossMinor: number }>();
    text.split('\n').forEach((row, index) => {
      const [customer, , date, , dollars] = row.trim().split(/\s+/);
      if (!customer || !date || !dollars) return;
      lines.push(`${index + 1},${customer},${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T12:00:00Z,${dollars},USD`);
      const cents = Math.round(Number(dollars) * 100);
      const seen = expected.get(customer) ?? { orders: 0, grossMinor: 0 };
      expected.set(customer, { orders: seen.orders + 1, grossMinor: seen.grossMinor + cents });
    });
    const file = join(dir, 'cdnow.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const summary = await importFile(channels.cdnow, 'csv', file);

    expect(summary).toMatchObject({ imported: 6919, duplicates: 0, rejected: [] });
    const customers = await channelCustomers(channels.cdnow);
    expect(customers).toHaveLength(2357);
    const byFigures = (list: { orders: number; grossMinor: number }[]) =>
      list.map((f) => `${f.orders}:${f.grossMinor}`).sort();
    expect(byFigures(customers.map((c) => c.figures))).toEqual(byFigures([...expected.values()]));
    expect(customers.reduce((sum, c) => sum + c.figures.grossMinor, 0)).toBe(
      [...expected.values()].reduce((sum, f) => sum + f.grossMinor, 0),
    );
  }, 600_000);

  it('reproduces the published CDNOW model and backtest through the rescore job and the CLI', async () => {
    const cli = async (...args: string[]) => {
      let stdout = '';
      const code = await run([...args, '--json', '--api-url', t.stack.apiUrl, '--api-key', t.stack.adminKey], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: () => true },
        env: { XDG_RUNTIME_DIR: dir },
        cwd: dir,
      });
      expect(code, args.join(' ')).toBe(0);
      return JSON.parse(stdout);
    };
    const significant = (value: number, digits = 3) => Number(value.toPrecision(digits));

    const job = await cli('rescore', '--as-of', '1997-09-30', '--wait');
    const model = await cli('model');
    const backtest = await cli('model', 'backtest', '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30');

    expect(job).toMatchObject({ status: 'succeeded', result: { asOf: '1997-09-30', sufficient: true } });
    // The other suites' customers in this stack bought after 1997, so only CDNOW's 2,357 count.
    expect(model).toMatchObject({ asOf: '1997-09-30', sufficient: true, customers: 2357 });
    expect(Object.fromEntries(['r', 'alpha', 'a', 'b'].map((k) => [k, significant(model.bgnbd[k])]))).toEqual({ r: 0.243, alpha: 4.41, a: 0.793, b: 2.43 });
    expect(model.bgnbd.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(Object.fromEntries(['p', 'q', 'gamma'].map((k) => [k, significant(model.gammaGamma[k])]))).toEqual({ p: 6.25, q: 3.74, gamma: 15.4 });
    expect(backtest.totals.actual).toBe(4339);
    expect(Math.abs(backtest.totals.predicted - 4160.6) / 4160.6).toBeLessThan(0.01);
    const segments = await cli('segments');
    expect(segments.items.reduce((sum: number, s: { customers: number }) => sum + s.customers, 0)).toBe(2357);
  }, 900_000);
});

describe('POST /admin/channels/{channelId}/orders/import', () => {
  const path = () => `/admin/channels/${channels.standard}/orders/import`;
  const row = { line: 2, fields: { order_id: 'H-1', email: 'h@example.com', created_at: '2024-01-01', total: '1.00', currency: 'USD' } };

  it('answers 404 for a channel that does not exist', async () => {
    const { status } = await t.api(`/admin/channels/ch_${'0'.repeat(16)}/orders/import`, { body: { format: 'csv', rows: [row] } });

    expect(status).toBe(404);
  });

  it('answers 403 to a readonly key and serves a staff key', async () => {
    const keyOf = async (role: string) => (await t.api<{ key: string }>('/admin/keys', { body: { role } })).body.key;

    expect((await t.api(path(), { body: { format: 'csv', rows: [row] }, key: await keyOf('readonly') })).status).toBe(403);
    expect((await t.api(path(), { body: { format: 'csv', rows: [row] }, key: await keyOf('staff') })).status).toBe(200);
  });

  it('answers 400 for a malformed batch and for more than 1,000 rows', async () => {
    for (const body of [
      { format: 'xlsx', rows: [row] },
      { format: 'csv', rows: 'all of them' },
      { format: 'csv', rows: [{ line: 0, fields: {} }] },
      { format: 'csv', rows: [{ line: 2, fields: { total: 1 } }] },
      { format: 'csv', rows: [row], extra: true },
      { format: 'csv', rows: Array.from({ length: 1001 }, (_, i) => ({ ...row, line: i + 2 })) },
    ]) {
      expect((await t.api(path(), { body })).status).toBe(400);
    }
  });

  it('answers 413 for a batch over 1 MiB', async () => {
    const big = { format: 'csv', rows: [{ line: 2, fields: { notes: 'x'.repeat(1024 * 1024) } }] };

    const { status, body } = await t.api<{ error: { code: string } }>(path(), { body: big });

    expect(status).toBe(413);
    expect(body.error.code).toBe('payload_too_large');
  });

  it('never answers 500, whatever the batch', async () => {
    const cell = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('-1', '1e309', '2024-02-30', '\u0000', 'NaN', '9'.repeat(30)));
    const fields = fc.dictionary(
      fc.constantFrom('order_id', 'customer_id', 'email', 'created_at', 'updated_at', 'total', 'currency', 'status', 'refunded', 'discount_codes', 'phone', '__proto__', 'Name', 'Id', 'Order ID'),
      cell,
    );
    const batch = fc.record({
      format: fc.constantFrom('csv', 'shopify-orders-csv', 'woocommerce-orders-csv'),
      rows: fc.array(fc.record({ line: fc.integer({ min: 1, max: 1e6 }), fields }), { maxLength: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(batch, async (body) => {
        const { status } = await t.api(path(), { body });
        expect(status).toBe(200);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
