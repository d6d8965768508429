// The admin API and the huitou CLI against a real local stack: keys and roles,
// channels that never show a secret, secret rotation, customer search.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import { adminPath, listRequest } from '../support/hostile-admin-input';
import { shopifyHeaders, startTestStack, standardHeaders, type TestStack } from '../support/stack';

type Json = Record<string, any>;
let t: TestStack;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run([...argv, '--api-url', t.stack.apiUrl, '--api-key', t.stack.adminKey], {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env: {},
    cwd: '/nonexistent',
  });
  return { code, out, err };
}

function standardOrder(id: string, email: string, name: string, total = '25.00'): string {
  const [firstName, lastName] = name.split(' ');
  return JSON.stringify({
    type: 'order.created',
    timestamp: '2026-01-02T10:00:00Z',
    data: {
      id,
      placedAt: '2026-01-02T10:00:00+01:00',
      updatedAt: '2026-01-02T10:00:00+01:00',
      status: 'open',
      currency: 'EUR',
      total,
      customer: { email, firstName, lastName },
    },
  });
}

beforeAll(async () => {
  t = await startTestStack();
});

afterAll(async () => {
  await t?.stop();
});

describe('Admin API: keys and roles', () => {
  it('answers 401 without a key or with a wrong one', async () => {
    const none = await fetch(`${t.stack.apiUrl}/admin/customers`);
    const wrong = await t.api('/admin/customers', { key: 'hk_wrong' });

    expect(none.status).toBe(401);
    expect((await none.json()) as Json).toMatchObject({ error: { code: 'unauthorized' } });
    expect(wrong.status).toBe(401);
  });

  it('creates keys shown once, lets each role do only its part, and revokes them', async () => {
    const staff = await t.api<Json>('/admin/keys', { body: { role: 'staff' } });
    const readonly = await t.api<Json>('/admin/keys', { body: { role: 'readonly' } });
    expect(staff).toMatchObject({ status: 201, body: { role: 'staff', key: expect.stringMatching(/^hk_/) } });

    expect((await t.api('/admin/customers', { key: staff.body['key'] })).status).toBe(200);
    expect((await t.api('/admin/channels', { key: staff.body['key'], body: { platform: 'shopify', name: 'x', webhookSecret: 's' } })).status).toBe(403);
    expect((await t.api('/admin/keys', { key: readonly.body['key'], body: { role: 'owner' } })).status).toBe(403);
    expect((await t.api('/admin/quarantine', { key: readonly.body['key'] })).status).toBe(200);

    expect((await t.api(`/admin/keys/${staff.body['id']}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.api('/admin/customers', { key: staff.body['key'] })).status).toBe(401);
  });

  it('answers 400 with the failing fields for a bad body', async () => {
    const result = await t.api<Json>('/admin/keys', { body: { role: 'god' } });

    expect(result.status).toBe(400);
    expect(result.body['error']['message']).toMatch(/role/);
  });
});

describe('Admin API: channels', () => {
  it('never returns a secret or a token', async () => {
    const created = await t.api<Json>('/admin/channels', {
      body: { platform: 'bigcommerce', name: 'BC', webhookSecret: 'very-secret-value', apiBaseUrl: 'https://api.example.com/stores/abc', apiToken: 'token-value' },
    });
    const listed = await t.api<Json>('/admin/channels');

    expect(created.status).toBe(201);
    expect(created.body['webhookUrl']).toBe(`${t.stack.apiUrl}/webhooks/bigcommerce/${created.body['id']}`);
    for (const text of [JSON.stringify(created.body), JSON.stringify(listed.body)]) {
      expect(text).not.toContain('very-secret-value');
      expect(text).not.toContain('token-value');
    }
  });

  it('refuses a BigCommerce channel without API access, and an unknown platform', async () => {
    const bc = await t.api<Json>('/admin/channels', { body: { platform: 'bigcommerce', name: 'BC', webhookSecret: 's' } });
    const unknown = await t.api<Json>('/admin/channels', { body: { platform: 'etsy', name: 'E', webhookSecret: 's' } });

    expect([bc.status, unknown.status]).toEqual([400, 400]);
    expect(bc.body['error']['message']).toMatch(/apiBaseUrl/);
  });

  it('refuses a store API URL off loopback or private, and allows a local fake on loopback', async () => {
    const bigCommerce = (apiBaseUrl: string) => ({ platform: 'bigcommerce', name: 'BC', webhookSecret: 's', apiToken: 't', apiBaseUrl });

    const metadata = await t.api<Json>('/admin/channels', { body: bigCommerce('https://169.254.169.254/latest/meta-data') });
    const privateNet = await t.api<Json>('/admin/channels', { body: bigCommerce('http://10.0.0.7/stores/x') });
    const file = await t.api<Json>('/admin/channels', { body: bigCommerce('file:///etc/passwd') });
    const loopback = await t.api<Json>('/admin/channels', { body: bigCommerce('http://127.0.0.1:9/stores/x') });

    expect([metadata.status, privateNet.status, file.status, loopback.status]).toEqual([400, 400, 400, 201]);
    expect(metadata.body['error']['message']).toMatch(/apiBaseUrl: .*169\.254\.169\.254/);
  });

  it('verifies with both secrets during a rotation and only the new one after it', async () => {
    const channel = await t.createChannel({ platform: 'standard', name: 'Rotating', webhookSecret: 'whsec_b2xkLXNlY3JldA==' });
    const body = standardOrder('R-1', 'rot@example.com', 'Ro Tate');

    await t.api(`/admin/channels/${channel.id}`, { method: 'PATCH', body: { webhookSecret: 'whsec_bmV3LXNlY3JldA==' } });
    const withOld = await t.deliver(channel.webhookUrl, body, standardHeaders(body, 'whsec_b2xkLXNlY3JldA==', 'msg_r1'));
    const withNew = await t.deliver(channel.webhookUrl, body, standardHeaders(body, 'whsec_bmV3LXNlY3JldA==', 'msg_r2'));
    await t.api(`/admin/channels/${channel.id}`, { method: 'PATCH', body: { previousWebhookSecret: null } });
    const oldAfter = await t.deliver(channel.webhookUrl, body, standardHeaders(body, 'whsec_b2xkLXNlY3JldA==', 'msg_r3'));

    expect([withOld, withNew, oldAfter]).toEqual([200, 200, 401]);
  });
});

describe('Webhook secrets: a change holds for the very next delivery', () => {
  const oldSecret = 'whsec_b2xkLXNlY3JldA==';
  const body = standardOrder('S-1', 'sec@example.com', 'Se Cret');
  let n = 0;
  const deliverSigned = (url: string, secret: string) => t.deliver(url, body, standardHeaders(body, secret, `msg_s${(n += 1)}`));
  const patch = (id: string, change: Json) => t.api(`/admin/channels/${id}`, { method: 'PATCH', body: change });

  it('answers 401 to the old secret right after it is replaced', async () => {
    const channel = await t.createChannel({ platform: 'standard', name: 'Replaced', webhookSecret: oldSecret });
    const warm = await deliverSigned(channel.webhookUrl, oldSecret);

    await patch(channel.id, { webhookSecret: 'whsec_bmV3LXNlY3JldA==', previousWebhookSecret: null });
    const next = await deliverSigned(channel.webhookUrl, oldSecret);

    expect([warm, next]).toEqual([200, 401]);
  });

  it('answers 401 to the secret a second rotation pushed out', async () => {
    const channel = await t.createChannel({ platform: 'standard', name: 'Rotated twice', webhookSecret: oldSecret });
    await patch(channel.id, { webhookSecret: 'whsec_bmV3LXNlY3JldA==' });
    const warm = await deliverSigned(channel.webhookUrl, oldSecret);

    await patch(channel.id, { webhookSecret: 'whsec_bmV3ZXItc2VjcmV0' });
    const next = await deliverSigned(channel.webhookUrl, oldSecret);

    expect([warm, next]).toEqual([200, 401]);
  });

  it('answers 401 to the previous secret right after the rotation ends', async () => {
    const channel = await t.createChannel({ platform: 'standard', name: 'Finished', webhookSecret: oldSecret });
    await patch(channel.id, { webhookSecret: 'whsec_bmV3LXNlY3JldA==' });
    const warm = await deliverSigned(channel.webhookUrl, oldSecret);

    await patch(channel.id, { previousWebhookSecret: null });
    const next = await deliverSigned(channel.webhookUrl, oldSecret);

    expect([warm, next]).toEqual([200, 401]);
  });

  it('answers 404 right after shop/redact erased the channel', async () => {
    const channel = await t.createChannel({ platform: 'shopify', name: 'Closing', webhookSecret: 'shop-secret' });
    const order = JSON.stringify({ id: 1 });
    const warm = await t.deliver(channel.webhookUrl, order, shopifyHeaders(order, 'shop-secret', 'orders/create', 'sr-warm'));

    const redact = JSON.stringify({ shop_id: 954889, shop_domain: 'closing.myshopify.com' });
    await t.deliver(channel.webhookUrl, redact, shopifyHeaders(redact, 'shop-secret', 'shop/redact', 'sr-redact'));
    await t.settled();
    const next = await t.deliver(channel.webhookUrl, order, shopifyHeaders(order, 'shop-secret', 'orders/create', 'sr-next'));

    expect([warm, next]).toEqual([200, 404]);
  });
});

describe('Admin API and CLI: customers', () => {
  it('lists customers page by page, searches by name and by channel, and shows one', async () => {
    const channel = await t.createChannel({ platform: 'standard', name: 'Shop', webhookSecret: 'whsec_c2hvcC1zZWNyZXQ=' });
    const people = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov'];
    for (const [i, name] of people.entries()) {
      const body = standardOrder(`C-${i}`, `${name.split(' ')[0]!.toLowerCase()}@example.com`, name, `${10 + i}.00`);
      expect(await t.deliver(channel.webhookUrl, body, standardHeaders(body, 'whsec_c2hvcC1zZWNyZXQ=', `msg_c${i}`))).toBe(200);
    }
    await t.settled();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/admin/customers?channel=${channel.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.api<{ items: Json[]; nextCursor: string | null }>(query);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c['name']));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...people].sort());

    const search = await t.api<{ items: Json[] }>('/admin/customers?q=hopper');
    expect(search.body.items.map((c) => c['email'])).toEqual(['grace@example.com']);

    const shown = await cli('customers', 'show', 'grace@example.com');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Grace Hopper');
    expect(shown.out).toContain('12.00');
  });

  it('adds a channel from the CLI and prints its webhook URL', async () => {
    const added = await cli('channels', 'add', '--platform', 'shopify', '--name', 'Main store', '--secret', 'cli-secret');

    expect(added.code).toBe(0);
    expect(added.out).toMatch(new RegExp(`${t.stack.apiUrl}/webhooks/shopify/ch_[0-9a-f]+`));
    expect(added.out).not.toContain('cli-secret');
  });

  it('reports an unknown customer id with 404', async () => {
    const result = await t.api<Json>('/admin/customers/cus_missing');

    expect(result).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});

describe('Admin API: hostile input', () => {
  const get = async (pathAndQuery: string, method = 'GET') => {
    const response = await fetch(`${t.stack.apiUrl}${pathAndQuery}`, { method, headers: { authorization: `Bearer ${t.stack.adminKey}` } });
    return { status: response.status, body: await response.text() };
  };

  it('answers 400 to a bare percent sign, 404 to an over-long id, 400 to a JSON object as a cursor', async () => {
    const cursor = Buffer.from(JSON.stringify({ pk: 'CUSTOMER#x', sk: 'PROFILE', listPk: 'CUSTOMERS', listSk: { S: 'x' } })).toString('base64url');

    const statuses = [
      (await get('/admin/customers/%')).status,
      (await get(`/admin/customers/cus_${'0'.repeat(3000)}`)).status,
      (await get(`/admin/quarantine/${'q'.repeat(3000)}`)).status,
      (await get(`/admin/customers?cursor=${cursor}`)).status,
      (await get(`/admin/exports?cursor=${Buffer.from('{}').toString('base64url')}`)).status,
    ];

    expect(statuses).toEqual([400, 404, 404, 400, 400]);
  });

  it('never answers 5xx to arbitrary paths, ids and cursors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'PATCH', 'DELETE'), adminPath, async (method, path) => {
        const answer = await get(path, method);
        expect(answer.status, `${method} ${path}: ${answer.body}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(listRequest, async ({ path, query }) => {
        const answer = await get(`${path}?${new URLSearchParams(query).toString()}`);
        expect(answer.status, `${path} ${JSON.stringify(query)}: ${answer.body}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
