// Campaigns, complaints and staff unsubscribes through the admin API and the
// CLI against a real local stack: what each role may do, the status moves,
// and the items the sender will read (suppression, consent, complaints).
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import { DynamoCampaignStore } from '../../functions/adapters/campaign-store';
import { hasOpenComplaint } from '../../functions/adapters/complaint-store';
import { startTestStack, standardHeaders, type TestStack } from '../support/stack';

type Json = Record<string, any>;
let t: TestStack;
let db: DynamoDBDocumentClient;
let staffKey: string;
let readonlyKey: string;

const secret = 'whsec_Y2FtcGFpZ25zLXNlY3JldA==';

const winBack = {
  name: 'Win back',
  audience: { segments: ['at_risk', 'cannot_lose'], minOrders: 1 },
  trigger: { type: 'segment_entered', segment: 'at_risk' },
  message: { template: 'win_back' },
  coupon: { kind: 'percent', value: 15, expiresInDays: 14 },
};

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

/** A customer made the way a store makes one: an order by webhook. */
async function customer(email: string): Promise<string> {
  const channel = await t.createChannel({ platform: 'standard', name: `Shop of ${email}`, webhookSecret: secret });
  const body = JSON.stringify({
    type: 'order.created',
    timestamp: '2026-01-02T10:00:00Z',
    data: {
      id: `O-${email}`,
      placedAt: '2026-01-02T10:00:00+01:00',
      updatedAt: '2026-01-02T10:00:00+01:00',
      status: 'open',
      currency: 'EUR',
      total: '30.00',
      customer: { email, firstName: 'Test', lastName: 'Customer', emailConsent: { state: 'subscribed', at: '2026-01-02T09:00:00Z' } },
    },
  });
  expect(await t.deliver(channel.webhookUrl, body, standardHeaders(body, secret, `msg_${email}`))).toBe(200);
  await t.settled();
  return (await t.requireCustomer<{ id: string }>(email)).id;
}

beforeAll(async () => {
  t = await startTestStack();
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: t.stack.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  staffKey = (await t.api<Json>('/admin/keys', { body: { role: 'staff' } })).body['key'];
  readonlyKey = (await t.api<Json>('/admin/keys', { body: { role: 'readonly' } })).body['key'];
});

afterAll(async () => {
  await t?.stop();
});

describe('Admin API: campaigns', () => {
  it('creates a campaign as staff (201, a draft at revision 0), shows it and lists it to a readonly key', async () => {
    const created = await t.api<Json>('/admin/campaigns', { body: winBack, key: staffKey });
    const id = created.body['id'] as string;
    const shown = await t.api<Json>(`/admin/campaigns/${id}`, { key: readonlyKey });
    const listed = await t.api<Json>('/admin/campaigns', { key: readonlyKey });

    expect(created).toMatchObject({ status: 201, body: { ...winBack, id: expect.stringMatching(/^cmp_/), status: 'draft', holdoutPercent: 10, rev: 0 } });
    expect(shown).toEqual({ status: 200, body: created.body });
    expect(listed.status).toBe(200);
    expect(listed.body['items'].map((c: Json) => c['id'])).toContain(id);
  });

  it('lists newest first, of one status when asked, a page at a time', async () => {
    const ids: string[] = [];
    for (const name of ['First', 'Second', 'Third']) {
      ids.push((await t.api<Json>('/admin/campaigns', { body: { ...winBack, name, status: 'active' } })).body['id']);
    }

    const firstPage = await t.api<Json>('/admin/campaigns?status=active&limit=2');
    const secondPage = await t.api<Json>(`/admin/campaigns?status=active&limit=2&cursor=${firstPage.body['nextCursor']}`);
    const drafts = await t.api<Json>('/admin/campaigns?status=draft');

    expect(firstPage.body['items'].map((c: Json) => c['name'])).toEqual(['Third', 'Second']);
    expect(secondPage.body['items'].map((c: Json) => c['name'])).toEqual(['First']);
    expect(secondPage.body['nextCursor']).toBeNull();
    expect(drafts.body['items'].every((c: Json) => c['status'] === 'draft')).toBe(true);
  });

  it("gives the matcher every active campaign and no other (the store's active())", async () => {
    const active = (await t.api<Json>('/admin/campaigns', { body: { ...winBack, name: 'Matched', status: 'active' } })).body['id'];
    const paused = (await t.api<Json>('/admin/campaigns', { body: { ...winBack, name: 'Paused', status: 'active' } })).body['id'];
    await t.api(`/admin/campaigns/${paused}`, { method: 'PATCH', body: { status: 'paused' } });

    const found = await new DynamoCampaignStore(t.stack.tableName).active();

    expect(found.every((c) => c.status === 'active')).toBe(true);
    expect(found.map((c) => c.id)).toContain(active);
    expect(found.map((c) => c.id)).not.toContain(paused);
    expect(found.find((c) => c.id === active)).toEqual((await t.api<Json>(`/admin/campaigns/${active}`)).body);
  });

  it('moves a campaign draft → active → paused → active → archived, and then refuses every change with 409', async () => {
    const id = (await t.api<Json>('/admin/campaigns', { body: winBack })).body['id'];
    const patch = (body: Json, key?: string) => t.api<Json>(`/admin/campaigns/${id}`, { method: 'PATCH', body, ...(key ? { key } : {}) });

    const moves = [];
    for (const status of ['active', 'paused', 'active', 'archived']) moves.push(await patch({ status }, staffKey));
    const rename = await patch({ name: 'Renamed' });
    const revive = await patch({ status: 'active' });

    expect(moves.map((m) => [m.status, m.body['status'], m.body['rev']])).toEqual([
      [200, 'active', 1],
      [200, 'paused', 2],
      [200, 'active', 3],
      [200, 'archived', 4],
    ]);
    expect([rename.status, revive.status]).toEqual([409, 409]);
    expect((await t.api<Json>(`/admin/campaigns/${id}`)).body).toMatchObject({ name: 'Win back', status: 'archived', rev: 4 });
  });

  it('answers 409 to a draft that would pause, and to a change based on a revision that is gone', async () => {
    const id = (await t.api<Json>('/admin/campaigns', { body: winBack })).body['id'];
    const pause = await t.api<Json>(`/admin/campaigns/${id}`, { method: 'PATCH', body: { status: 'paused' } });
    await t.api(`/admin/campaigns/${id}`, { method: 'PATCH', body: { holdoutPercent: 20 } });
    const stale = await fetch(`${t.stack.apiUrl}/admin/campaigns/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t.stack.adminKey}`, 'content-type': 'application/json', 'if-match': '0' },
      body: JSON.stringify({ holdoutPercent: 30 }),
    });

    expect(pause.status).toBe(409);
    expect(stale.status).toBe(409);
    expect((await t.api<Json>(`/admin/campaigns/${id}`)).body).toMatchObject({ holdoutPercent: 20, rev: 1 });
  });

  it('answers 401 without a key, 403 to a readonly key that writes, 404 to an unknown campaign, 400 to a bad one', async () => {
    const none = await fetch(`${t.stack.apiUrl}/admin/campaigns`);
    const readonlyCreate = await t.api('/admin/campaigns', { body: winBack, key: readonlyKey });
    const unknown = await t.api('/admin/campaigns/cmp_0123456789abcdef');
    const notAnId = await t.api('/admin/campaigns/winback');
    const badAudience = await t.api<Json>('/admin/campaigns', { body: { ...winBack, audience: { minDaysSinceLastOrder: 90, maxDaysSinceLastOrder: 30 } } });
    const noUnsubscribeLink = await t.api<Json>('/admin/campaigns', { body: { ...winBack, message: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' } } });

    expect([none.status, readonlyCreate.status, unknown.status, notAnId.status]).toEqual([401, 403, 404, 404]);
    expect([badAudience.status, noUnsubscribeLink.status]).toEqual([400, 400]);
    expect(badAudience.body['error']['message']).toMatch(/minDaysSinceLastOrder/);
    expect(noUnsubscribeLink.body['error']['message']).toMatch(/unsubscribeUrl/);
  });

  it('answers 4xx, never 5xx, to hostile campaign bodies and list queries', async () => {
    const id = (await t.api<Json>('/admin/campaigns', { body: winBack })).body['id'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST /admin/campaigns', `PATCH /admin/campaigns/${id}`),
        fc.oneof(fc.json(), fc.string({ maxLength: 50 })),
        async (route, raw) => {
          const [method, path] = route.split(' ') as [string, string];
          const response = await fetch(`${t.stack.apiUrl}${path}`, {
            method,
            headers: { authorization: `Bearer ${t.stack.adminKey}`, 'content-type': 'application/json' },
            body: raw,
          });
          await response.arrayBuffer();
          expect(response.status, `${route} ${raw}`).toBeLessThan(500);
        },
      ),
      { numRuns: 40 },
    );
    for (const query of ['status=running', 'limit=0', 'cursor=abc', 'cursor=eyJwayI6MX0', `status=${'x'.repeat(3000)}`]) {
      expect((await t.api(`/admin/campaigns?${query}`)).status, query).toBe(400);
    }
  });

  it('creates, lists, shows and moves campaigns through the CLI', async () => {
    const file = `/tmp/huitou-campaign-${process.pid}.json`;
    const { writeFile, rm } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify({ ...winBack, name: 'From the CLI' }));
    try {
      const created = await cli('campaigns', 'create', '--file', file, '--json');
      const id = (JSON.parse(created.out) as Json)['id'] as string;
      const activated = await cli('campaigns', 'activate', id);
      const listed = await cli('campaigns', 'list');
      const shown = await cli('campaigns', 'show', id);
      const archived = await cli('campaigns', 'archive', id);
      const again = await cli('campaigns', 'activate', id);

      expect([created.code, activated.code, listed.code, shown.code, archived.code]).toEqual([0, 0, 0, 0, 0]);
      expect(activated.out).toContain('active');
      expect(listed.out).toMatch(new RegExp(`${id}\\s+From the CLI\\s+active`));
      expect(shown.out).toContain('segment_entered');
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/409/);
    } finally {
      await rm(file, { force: true });
    }
  });
});

describe('Admin API: complaints', () => {
  it('logs an open complaint as staff, lists it to a readonly key, and resolves it once', async () => {
    const customerId = await customer('complainer@example.com');

    const logged = await t.api<Json>(`/admin/customers/${customerId}/complaints`, { body: { note: 'Parcel arrived broken' }, key: staffKey });
    const complaintId = logged.body['id'] as string;
    const listed = await t.api<Json>(`/admin/customers/${customerId}/complaints`, { key: readonlyKey });
    const item = await db.send(new GetCommand({ TableName: t.stack.tableName, Key: { pk: `CUSTOMER#${customerId}`, sk: `COMPLAINT#${complaintId}` } }));
    const openBefore = await hasOpenComplaint(t.stack.tableName, customerId);
    const resolved = await t.api<Json>(`/admin/customers/${customerId}/complaints/${complaintId}`, { method: 'PATCH', body: { status: 'resolved' }, key: staffKey });
    const openAfter = await hasOpenComplaint(t.stack.tableName, customerId);
    const again = await t.api<Json>(`/admin/customers/${customerId}/complaints/${complaintId}`, { method: 'PATCH', body: { status: 'resolved' } });

    expect(logged).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^cpl_/), customerId, status: 'open', note: 'Parcel arrived broken' } });
    expect(listed.body['items']).toEqual([logged.body]);
    expect(item.Item).toMatchObject({ id: complaintId, customerId, status: 'open', note: 'Parcel arrived broken', createdAt: logged.body['createdAt'] });
    expect(resolved).toMatchObject({ status: 200, body: { status: 'resolved', resolvedAt: expect.any(String) } });
    expect(again.body).toEqual(resolved.body);
    expect([openBefore, openAfter]).toEqual([true, false]);
  });

  it('answers 404 for an unknown customer or complaint, 403 to a readonly key that logs one, 400 to a bad body', async () => {
    const customerId = await customer('quiet@example.com');

    const statuses = [
      (await t.api(`/admin/customers/cus_0123456789abcdef/complaints`, { body: { note: 'x' } })).status,
      (await t.api(`/admin/customers/${customerId}/complaints/cpl_0123456789abcdef`, { method: 'PATCH', body: { status: 'resolved' } })).status,
      (await t.api(`/admin/customers/${customerId}/complaints`, { body: { note: 'x' }, key: readonlyKey })).status,
      (await t.api(`/admin/customers/${customerId}/complaints`, { body: { note: 'x'.repeat(2001) } })).status,
      (await t.api(`/admin/customers/${customerId}/complaints`, { body: { note: 'x', status: 'resolved' } })).status,
    ];

    expect(statuses).toEqual([404, 404, 403, 400, 400]);
    expect((await t.api<Json>(`/admin/customers/${customerId}/complaints`)).body['items']).toEqual([]);
  });

  it('logs, lists and resolves complaints through the CLI', async () => {
    const customerId = await customer('cli-complaint@example.com');

    const added = await cli('complaints', 'add', customerId, '--note', 'Wrong size sent');
    const listed = await cli('complaints', 'list', customerId);
    const complaintId = /cpl_[0-9a-f]+/.exec(added.out)?.[0] ?? '';
    const resolved = await cli('complaints', 'resolve', customerId, complaintId);
    const after = await cli('complaints', 'list', customerId, '--json');

    expect([added.code, listed.code, resolved.code]).toEqual([0, 0, 0]);
    expect(listed.out).toMatch(new RegExp(`${complaintId}\\s+open\\s+.*Wrong size sent`));
    expect((JSON.parse(after.out) as Json)['items']).toEqual([expect.objectContaining({ id: complaintId, status: 'resolved' })]);
  });
});

describe('Admin API: staff unsubscribe', () => {
  it('sets the consent to unsubscribed and suppresses the address with reason staff, once', async () => {
    const customerId = await customer('leaver@example.com');
    expect((await t.api<Json>(`/admin/customers/${customerId}`)).body['consent']['email']).toBe('subscribed');

    const first = await t.api<Json>(`/admin/customers/${customerId}/unsubscribe`, { method: 'POST', key: staffKey });
    const second = await t.api<Json>(`/admin/customers/${customerId}/unsubscribe`, { method: 'POST' });
    const shown = await t.api<Json>(`/admin/customers/${customerId}`);
    const digest = createHash('sha256').update('leaver@example.com').digest('hex');
    const suppression = await db.send(new GetCommand({ TableName: t.stack.tableName, Key: { pk: `SUPPRESSION#${digest}`, sk: 'SUPPRESSION' } }));

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body['consent']).toEqual({ email: 'unsubscribed', emailUpdatedAt: expect.any(String) });
    expect(second.body['consent']).toEqual(first.body['consent']);
    expect(shown.body['consent']).toEqual(first.body['consent']);
    expect(suppression.Item).toMatchObject({ reason: 'staff', at: first.body['consent']['emailUpdatedAt'] });
  });

  it('leaves later orders able to change the profile: the unsubscribe moved its revision, not its figures', async () => {
    const customerId = await customer('returning@example.com');
    await t.api(`/admin/customers/${customerId}/unsubscribe`, { method: 'POST' });
    const channel = await t.createChannel({ platform: 'standard', name: 'Second shop', webhookSecret: secret });
    const body = JSON.stringify({
      type: 'order.created',
      timestamp: '2026-02-02T10:00:00Z',
      data: { id: 'O-2', placedAt: '2026-02-02T10:00:00Z', updatedAt: '2026-02-02T10:00:00Z', status: 'open', currency: 'EUR', total: '12.00', customer: { email: 'returning@example.com' } },
    });

    expect(await t.deliver(channel.webhookUrl, body, standardHeaders(body, secret, 'msg_returning_2'))).toBe(200);
    await t.settled();
    const shown = await t.api<Json>(`/admin/customers/${customerId}`);

    expect(shown.body['figures']['orders']).toBe(2);
    expect(shown.body['consent']['email']).toBe('unsubscribed');
  });

  it('answers 404 for an unknown customer, 403 to a readonly key, and works from the CLI', async () => {
    const customerId = await customer('cli-leaver@example.com');

    const unknown = await t.api('/admin/customers/cus_0123456789abcdef/unsubscribe', { method: 'POST' });
    const readonly = await t.api(`/admin/customers/${customerId}/unsubscribe`, { method: 'POST', key: readonlyKey });
    const viaCli = await cli('unsubscribe', customerId);

    expect([unknown.status, readonly.status]).toEqual([404, 403]);
    expect(viaCli).toMatchObject({ code: 0, out: expect.stringContaining('unsubscribed') });
    expect((await t.api<Json>(`/admin/customers/${customerId}`)).body['consent']['email']).toBe('unsubscribed');
  });
});
