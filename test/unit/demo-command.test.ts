// `huitou demo` against a fake API in this process: how it creates channels,
// retries what a retry may fix, gives up on what it cannot, and reports.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import type { DemoSummary } from '../../bin/cli/demo';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let baseUrl: string;
let received: Received[] = [];
let channelBodies: Record<string, unknown>[] = [];
/** Decides the webhook's answer; by default 200. */
let answer: (request: Received, attempt: number) => number = () => 200;
/** Where the channels' webhook URLs point; by default this server. */
let webhookBase: () => string = () => baseUrl;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = request.url ?? '';
      if (path === '/admin/channels') {
        const input = JSON.parse(body) as Record<string, unknown>;
        channelBodies.push(input);
        const id = `ch_${channelBodies.length}`;
        response.writeHead(201, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ id, webhookUrl: `${webhookBase()}/webhooks/${String(input.platform)}/${id}` }));
      }
      const entry = { path, headers: request.headers, body };
      const attempt = received.filter((r) => r.body === body && r.path === path).length;
      received.push(entry);
      response.writeHead(answer(entry, attempt), { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received = [];
  channelBodies = [];
  answer = () => 200;
  webhookBase = () => baseUrl;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function demo(args: string[], { isTTY = false } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(['demo', ...args, '--api-url', baseUrl, '--api-key', 'k'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY },
    env: {},
    cwd: '/nonexistent',
  });
  return { code, stdout, stderr };
}

describe('Command: demo', () => {
  it('creates a Shopify and a WooCommerce channel with secrets of its own, and signs with them', async () => {
    const result = await demo(['--customers', '5', '--months', '6', '--seed', '1', '--json']);

    expect(result.code).toBe(0);
    expect(channelBodies).toEqual([
      expect.objectContaining({ platform: 'shopify', name: 'Demo Shopify', currency: 'USD' }),
      expect.objectContaining({ platform: 'woocommerce', name: 'Demo WooCommerce', currency: 'USD' }),
    ]);
    const [shopifySecret, wooSecret] = channelBodies.map((c) => c.webhookSecret as string);
    expect(shopifySecret).toMatch(/^demo_[0-9a-f]{48}$/);
    expect(wooSecret).not.toBe(shopifySecret);
    const summary = JSON.parse(result.stdout) as DemoSummary;
    expect(received).toHaveLength(summary.deliveries.sent);
    expect(received.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(received.some((r) => r.path === '/webhooks/shopify/ch_1' && r.headers['x-shopify-hmac-sha256'])).toBe(true);
    expect(received.some((r) => r.path === '/webhooks/woocommerce/ch_2' && r.headers['x-wc-webhook-signature'])).toBe(true);
    expect(new Set(received.map((r) => r.headers['x-shopify-webhook-id'] ?? r.headers['x-wc-webhook-delivery-id'])).size).toBe(
      received.length,
    );
  });

  it('sends the same orders for the same seed', async () => {
    // Follow-ups are clamped to the clock, so only the creations are compared.
    const creations = () =>
      received
        .filter((r) => ['orders/create', 'order.created'].includes(String(r.headers['x-shopify-topic'] ?? r.headers['x-wc-webhook-topic'])))
        .map((r) => r.body)
        .sort();
    const first = JSON.parse((await demo(['--customers', '8', '--months', '3', '--seed', '9', '--json'])).stdout);
    const bodies = creations();
    received = [];
    const second = JSON.parse((await demo(['--customers', '8', '--months', '3', '--seed', '9', '--json'])).stdout);
    expect(bodies.length).toBe(first.orders);
    expect(creations()).toEqual(bodies);
    expect({ ...second, channels: [], deliveries: {} }).toEqual({ ...first, channels: [], deliveries: {} });
  });

  it('tries a 503 and a 429 again, and counts the delivery once', async () => {
    answer = (_, attempt) => (attempt === 0 ? 503 : attempt === 1 ? 429 : 200);

    const result = await demo(['--customers', '3', '--months', '2', '--seed', '3', '--json']);

    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as DemoSummary;
    expect(summary.deliveries.failed).toBe(0);
    expect(summary.deliveries.retried).toBe(2 * summary.deliveries.sent);
    expect(received).toHaveLength(3 * summary.deliveries.sent);
  });

  it('gives up on a 400 at once, and after four tries on a 500, and says so (exit 1)', async () => {
    answer = (request) => (request.path.includes('/shopify/') ? 400 : 500);

    const result = await demo(['--customers', '3', '--months', '2', '--seed', '3']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/deliveries +0 sent, (\d+) failed/);
    const failed = Number(/0 sent, (\d+) failed/.exec(result.stdout)?.[1]);
    expect(result.stderr).toContain(`error: ${failed} of ${failed} deliveries failed`);
    const shopify = received.filter((r) => r.path.includes('/shopify/')).length;
    const woo = received.filter((r) => r.path.includes('/woocommerce/')).length;
    expect(shopify + woo / 4).toBe(failed);
    expect(result.stdout).toMatch(/failed +(orders\/create|order\.created): (400|500)/);
  });

  it('reports a webhook URL that nothing answers as failed, after its tries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    webhookBase = () => `http://127.0.0.1:${port}`;

    const result = await demo(['--customers', '1', '--months', '1', '--seed', '1', '--json']);

    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as DemoSummary;
    expect(summary.deliveries).toMatchObject({ sent: 0, failed: summary.orders });
    expect(summary.deliveries.retried).toBe(3 * summary.orders);
    expect(summary.failures[0]).toMatchObject({ status: 'no connection', answer: 'ECONNREFUSED' });
  });

  it('draws a progress bar with deliveries per second on a terminal, and prints the parameters', async () => {
    const result = await demo(['--customers', '4', '--months', '2', '--seed', '2'], { isTTY: true });

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\r\[#{24}\] (\d+)\/\1 deliveries +\d+\.\d\/s/);
    expect(result.stderr).toContain('BG/NBD       r=0.4 alpha=5 (weeks) a=0.8 b=2.4');
    expect(result.stderr).toContain('Creating two new channels');
    expect(result.stdout).toContain('customers    4 (');
    expect(result.stdout).toContain('channel      Demo Shopify (ch_1, shopify)');
    expect(result.stdout).toContain('huitou rescore --wait');
  });

  it('writes no progress bar when stderr is no terminal', async () => {
    const result = await demo(['--customers', '4', '--months', '2', '--seed', '2']);
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).toMatch(/sending \d+ deliveries, 8 at a time/);
  });
});
