// `huitou demo` end to end against the local stack: a simulated store goes
// through the signed webhook path, the queue and the processor, and what the
// admin API shows afterwards looks like a store (people on both channels,
// refunds, cancellations), with nothing quarantined.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import type { DemoSummary } from '../../bin/cli/demo';
import { startTestStack, type TestStack } from '../support/stack';
import type { CustomerDetail, CustomerView } from '../support/shapes';

let t: TestStack;
let runtimeDir: string;

beforeAll(async () => {
  t = await startTestStack();
  runtimeDir = mkdtempSync(join(tmpdir(), 'huitou-demo-'));
});

afterAll(async () => {
  await t?.stop();
  rmSync(runtimeDir, { recursive: true, force: true });
});

async function huitou(args: string[], apiUrl = t.stack.apiUrl) {
  let stdout = '';
  let stderr = '';
  const code = await run([...args, '--api-url', apiUrl, '--api-key', t.stack.adminKey], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { XDG_RUNTIME_DIR: runtimeDir },
    cwd: runtimeDir,
  });
  return { code, stdout, stderr };
}

async function allCustomers(): Promise<CustomerView[]> {
  const items: CustomerView[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await t.api<{ items: CustomerView[]; nextCursor?: string | null }>(
      `/admin/customers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describe('huitou demo (local stack)', () => {
  let summary: DemoSummary;
  let details: CustomerDetail[];

  beforeAll(async () => {
    const result = await huitou(['demo', '--customers', '40', '--months', '12', '--seed', '7', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    summary = JSON.parse(result.stdout) as DemoSummary;
    await t.settled(90_000);
    details = await Promise.all(
      (await allCustomers()).map(async (c) => (await t.api<CustomerDetail>(`/admin/customers/${c.id}`)).body),
    );
  }, 120_000);

  it('sends every delivery and reports what it made', () => {
    expect(summary.customers).toBe(40);
    expect(summary.deliveries.failed).toBe(0);
    expect(summary.deliveries.sent).toBeGreaterThanOrEqual(summary.orders + summary.refunds + summary.cancellations);
    expect(summary.refunds).toBeGreaterThan(0);
    expect(summary.cancellations).toBeGreaterThan(0);
    expect(summary.bothChannels).toBeGreaterThan(0);
    expect(summary.channels.map((c) => [c.platform, c.name])).toEqual([
      ['shopify', 'Demo Shopify'],
      ['woocommerce', 'Demo WooCommerce'],
    ]);
  });

  it('makes one customer a person, with every order and figures that are never negative', () => {
    expect(details).toHaveLength(40);
    expect(details.flatMap((c) => c.orders)).toHaveLength(summary.orders);
    for (const customer of details) {
      expect(customer.email).toMatch(/@example\.(com|org|net)$/);
      const { orders, grossMinor, refundedMinor, netMinor } = customer.figures;
      expect(orders).toBeGreaterThanOrEqual(0);
      expect(grossMinor).toBeGreaterThanOrEqual(0);
      expect(refundedMinor).toBeGreaterThanOrEqual(0);
      expect(netMinor).toBeGreaterThanOrEqual(0);
      expect(netMinor).toBe(grossMinor - refundedMinor);
    }
    // A cancelled order is kept on the customer but does not count.
    const counted = details.reduce((sum, c) => sum + c.figures.orders, 0);
    expect(counted).toBe(summary.orders - summary.cancellations);
  });

  it('puts the people who buy on both channels on one customer with orders from each', () => {
    const [shopify, woo] = summary.channels.map((c) => c.id);
    const both = details.filter(
      (c) => c.orders.some((o) => o.channelId === shopify) && c.orders.some((o) => o.channelId === woo),
    );
    expect(both).toHaveLength(summary.bothChannels);
    for (const customer of both) expect(customer.channels).toEqual(expect.arrayContaining([shopify, woo]));
  });

  it('records the refunds and the cancellations on their orders', () => {
    const orders = details.flatMap((c) => c.orders);
    expect(orders.filter((o) => o.refundedMinor > 0)).toHaveLength(summary.refunds);
    expect(orders.filter((o) => o.status === 'cancelled')).toHaveLength(summary.cancellations);
    for (const order of orders) expect(order.refundedMinor).toBeLessThanOrEqual(order.totalMinor);
  });

  it('gives the consent Shopify sends: subscribed, unsubscribed and unknown all occur', () => {
    const states = new Set(details.map((c) => c.consent.email));
    expect(states).toEqual(new Set(['subscribed', 'unsubscribed', 'unknown']));
  });

  it('quarantines no delivery and leaves no dead letter', async () => {
    const quarantine = await t.api<{ items: unknown[] }>('/admin/quarantine');
    expect(quarantine.body.items).toEqual([]);
    expect(await t.queueDepth('ingestDlq')).toBe(0);
  });
});

describe('huitou demo: refusals', () => {
  it.each([
    [['--customers', '0', '--months', '6'], '--customers must be a whole number from 1 to 100000 (got "0")'],
    [['--customers', '100001', '--months', '6'], '--customers must be a whole number from 1 to 100000'],
    [['--customers', 'ten', '--months', '6'], '--customers must be a whole number'],
    [['--customers', '10', '--months', '0'], '--months must be a whole number from 1 to 120 (got "0")'],
    [['--customers', '10', '--months', '1.5'], '--months must be a whole number'],
    [['--customers', '10', '--months', '6', '--seed=-3'], '--seed must be a whole number from 0 to 4294967295'],
    [['--customers', '10', '--months', '6', '--seed', '4294967296'], '--seed must be a whole number'],
  ])('answers a usage error (exit 2) for %j', async (args, message) => {
    const result = await huitou(['demo', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: huitou demo --customers');
  });

  it('answers a usage error when --months is missing', async () => {
    const result = await huitou(['demo', '--customers', '10']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing required option --months');
  });

  it('says the stack is not running when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const result = await huitou(['demo', '--customers', '5', '--months', '3'], `http://127.0.0.1:${port}`);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the huitou API at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(result.stderr).toContain('Is the local stack running?');
  });
});
