// `huitou webhooks send-test` end to end against the local stack: the API signs
// a sample order, the CLI sends it to the webhook URL, and the order lands on
// the test customer through the real webhook function, queue and processor.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import { startTestStack, type TestStack } from '../support/stack';
import type { CustomerDetail, QuarantineView } from '../support/shapes';

let t: TestStack;
let runtimeDir: string;
/** A fake BigCommerce store API that knows no order and accepts one token. */
let storeApi: Server;
let storeApiUrl: string;
const storeToken = `bc-token-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  t = await startTestStack();
  runtimeDir = mkdtempSync(join(tmpdir(), 'huitou-send-test-'));
  storeApi = createServer((request, response) => {
    const status = request.headers['x-auth-token'] === storeToken ? 404 : 401;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify([{ status }]));
  });
  await new Promise<void>((resolve) => storeApi.listen(0, '127.0.0.1', resolve));
  storeApiUrl = `http://127.0.0.1:${(storeApi.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => storeApi.close(() => resolve()));
  rmSync(runtimeDir, { recursive: true, force: true });
});

async function sendTest(channelId: string, key = t.stack.adminKey) {
  let stdout = '';
  let stderr = '';
  const code = await run(['webhooks', 'send-test', channelId, '--api-url', t.stack.apiUrl, '--api-key', key], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { XDG_RUNTIME_DIR: runtimeDir },
    cwd: runtimeDir,
  });
  return { code, stdout, stderr };
}

const secrets = {
  shopify: `shpss_${randomBytes(8).toString('hex')}`,
  woocommerce: `wc_${randomBytes(8).toString('hex')}`,
  standard: `whsec_${randomBytes(24).toString('base64')}`,
};

describe('huitou webhooks send-test (local stack)', () => {
  it.each(['shopify', 'woocommerce', 'standard'] as const)(
    'puts a %s sample order on the test customer and says so',
    async (platform) => {
      const channel = await t.createChannel({ platform, name: `${platform} store`, webhookSecret: secrets[platform] });

      const result = await sendTest(channel.id);

      expect(result.stderr).not.toContain('error');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`to ${channel.webhookUrl}`);
      expect(result.stdout).toContain('answer: 200');
      const orderId = /Processed: order (test-[0-9a-f]+) is on customer/.exec(result.stdout)?.[1];
      expect(orderId).toBeDefined();
      const customer = await t.requireCustomer<CustomerDetail>('test-customer@example.com');
      expect(customer.orders).toContainEqual(
        expect.objectContaining({ channelId: channel.id, orderId, test: platform !== 'woocommerce', totalMinor: 2000 }),
      );
      expect(result.stdout).toContain(`on customer ${customer.id} (test-customer@example.com)`);
    },
  );

  it('keeps the test orders out of the figures, except WooCommerce, which has no test orders', async () => {
    const customer = await t.requireCustomer<CustomerDetail>('test-customer@example.com');

    expect(customer.orders).toHaveLength(3);
    expect(customer.figures).toMatchObject({ orders: 1, grossMinor: 2000 });
  });

  it('sends a BigCommerce order id that the store does not know and reports the quarantine as expected', async () => {
    const channel = await t.createChannel({
      platform: 'bigcommerce',
      name: 'BC store',
      webhookSecret: `bc_${randomBytes(8).toString('hex')}`,
      apiBaseUrl: storeApiUrl,
      apiToken: storeToken,
    });

    const result = await sendTest(channel.id);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Quarantined, as expected for BigCommerce');
    expect(result.stdout).toContain('BigCommerce API answered 404 for /v2/orders/0');
    const { body } = await t.api<{ items: QuarantineView[] }>('/admin/quarantine');
    expect(body.items.filter((q) => q.channelId === channel.id)).toHaveLength(1);
  });

  it('fails with the store\'s refusal when the BigCommerce token is wrong', async () => {
    const channel = await t.createChannel({
      platform: 'bigcommerce',
      name: 'BC store, wrong token',
      webhookSecret: `bc_${randomBytes(8).toString('hex')}`,
      apiBaseUrl: storeApiUrl,
      apiToken: 'wrong-token',
    });

    const result = await sendTest(channel.id);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('answered 401');
    expect(result.stderr).toContain('the test delivery was quarantined');
  });

  it('answers 403 to a staff key, which may not have a delivery signed', async () => {
    const channel = await t.createChannel({ platform: 'shopify', name: 'staff test', webhookSecret: secrets.shopify });
    const { body: staff } = await t.api<{ key: string }>('/admin/keys', { body: { role: 'staff' } });

    const result = await sendTest(channel.id, staff.key);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(403 forbidden)');
  });

  it('answers 404 for an unknown channel', async () => {
    const result = await sendTest('ch_missing');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(404 not_found)');
  });
});
