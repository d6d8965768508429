// The admin routes of campaigns, complaints and staff unsubscribes, with a
// mocked DynamoDB: which right each needs, what each writes, and its answers.
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasOpenComplaint } from '../../functions/adapters/complaint-store';
import { httpEvent, lambdaContext } from '../support/events';
import { setFunctionEnv, testTableName } from '../support/handler-env';

setFunctionEnv('admin');

const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const keyItem = (key: string) => ({ pk: `APIKEY#${createHash('sha256').update(key).digest('hex')}`, sk: 'APIKEY' });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function admin(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}, query?: Record<string, string>) {
  return httpEvent({
    method,
    path,
    routeKey: 'ANY /admin/{proxy+}',
    headers: { authorization: `Bearer ${key}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...(query ? { query } : {}),
  });
}

const call = async (...args: Parameters<typeof admin>) => {
  const result = await handler(admin(...args), lambdaContext);
  return { status: result.statusCode, body: result.body ? (JSON.parse(result.body) as Record<string, any>) : undefined };
};

const newCampaign = {
  name: 'Win back',
  audience: { segments: ['at_risk', 'cannot_lose'] },
  trigger: { type: 'segment_entered', segment: 'at_risk' },
  message: { template: 'win_back' },
};

const storedCampaign = {
  pk: 'CAMPAIGN#cmp_0a',
  sk: 'CAMPAIGN',
  listPk: 'CAMPAIGNS',
  listSk: '2026-01-01T00:00:00.000Z#cmp_0a',
  ...newCampaign,
  id: 'cmp_0a',
  coupon: null,
  holdoutPercent: 10,
  quietHours: null,
  repeatAfterDays: null,
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  rev: 3,
};

const profile = {
  pk: 'CUSTOMER#cus_0a',
  sk: 'PROFILE',
  id: 'cus_0a',
  email: 'ada@example.com',
  rev: 7,
  consent: { state: 'subscribed', at: '2025-12-01T00:00:00.000Z' },
  channels: ['ch_1'],
  channelCustomerIds: {},
  figures: { orders: 2, purchaseDays: 2, grossMinor: 5000, refundedMinor: 0, netMinor: 5000, currency: 'EUR', firstOrderAt: null, lastOrderAt: null },
  otherCurrencies: {},
  createdAt: '2025-11-01T00:00:00.000Z',
  updatedAt: '2025-12-01T00:00:00.000Z',
};

beforeAll(async () => {
  ({ handler } = (await import('../../functions/handlers/admin')) as never);
});

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(GetCommand, { Key: keyItem('owner-key') }).resolves({ Item: { id: 'key_1', role: 'owner', createdAt: 'x' } });
  dynamo.on(GetCommand, { Key: keyItem('staff-key') }).resolves({ Item: { id: 'key_2', role: 'staff', createdAt: 'x' } });
  dynamo.on(GetCommand, { Key: keyItem('readonly-key') }).resolves({ Item: { id: 'key_3', role: 'readonly', createdAt: 'x' } });
  dynamo.on(GetCommand, { Key: { pk: 'CAMPAIGN#cmp_0a', sk: 'CAMPAIGN' } }).resolves({ Item: storedCampaign });
  dynamo.on(GetCommand, { Key: { pk: 'CUSTOMER#cus_0a', sk: 'PROFILE' } }).resolves({ Item: profile });
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [] });
});

describe('Handler: admin campaigns', () => {
  it('lets staff create a campaign: 201 with its id and defaults, stored once under a new key and listed', async () => {
    const created = await call('POST', '/admin/campaigns', 'staff-key', newCampaign);

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...newCampaign, id: expect.stringMatching(/^cmp_[0-9a-f]{16}$/), status: 'draft', holdoutPercent: 10, rev: 0 });
    const id = created.body!['id'] as string;
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: testTableName,
      Item: expect.objectContaining({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN', listPk: 'CAMPAIGNS', listSk: `${created.body!['createdAt']}#${id}` }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('answers 403 to a readonly key that creates or changes a campaign, and lets it read them', async () => {
    const create = await call('POST', '/admin/campaigns', 'readonly-key', newCampaign);
    const patch = await call('PATCH', '/admin/campaigns/cmp_0a', 'readonly-key', { status: 'paused' });
    const list = await call('GET', '/admin/campaigns', 'readonly-key');
    const one = await call('GET', '/admin/campaigns/cmp_0a', 'readonly-key');

    expect([create.status, patch.status, list.status, one.status]).toEqual([403, 403, 200, 200]);
    expect(one.body).toEqual(expect.not.objectContaining({ pk: expect.anything() }));
    expect(one.body).toMatchObject({ id: 'cmp_0a', status: 'active', rev: 3 });
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 400 with the failing fields to a bad campaign, and to a custom message without an unsubscribe link', async () => {
    const bad = await call('POST', '/admin/campaigns', 'owner-key', { ...newCampaign, holdoutPercent: 95, trigger: { type: 'never' } });
    const noLink = await call('POST', '/admin/campaigns', 'owner-key', { ...newCampaign, message: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' } });

    expect([bad.status, noLink.status]).toEqual([400, 400]);
    expect(bad.body!['error']['message']).toMatch(/holdoutPercent/);
    expect(bad.body!['error']['message']).toMatch(/trigger/);
    expect(noLink.body!['error']['message']).toMatch(/unsubscribeUrl/);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('lists campaigns newest first, of one status when asked, and refuses an unknown status', async () => {
    const all = await call('GET', '/admin/campaigns', 'owner-key');
    const active = await call('GET', '/admin/campaigns', 'owner-key', undefined, {}, { status: 'active' });
    const unknown = await call('GET', '/admin/campaigns', 'owner-key', undefined, {}, { status: 'running' });

    expect([all.status, active.status, unknown.status]).toEqual([200, 200, 400]);
    expect(all.body).toEqual({ items: [], nextCursor: null });
    const [first, second] = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({ IndexName: 'listByKind', ScanIndexForward: false, ExpressionAttributeValues: { ':list': 'CAMPAIGNS' } });
    expect(first?.FilterExpression).toBeUndefined();
    expect(second).toMatchObject({ FilterExpression: '#status = :status', ExpressionAttributeValues: { ':list': 'CAMPAIGNS', ':status': 'active' } });
  });

  it('answers 404 to an unknown campaign, and to an id of another kind without reading it', async () => {
    const unknown = await call('GET', '/admin/campaigns/cmp_ff', 'owner-key');
    const otherKind = await call('PATCH', '/admin/campaigns/cus_0a', 'owner-key', { name: 'x' });

    expect([unknown.status, otherKind.status]).toEqual([404, 404]);
    expect(dynamo.commandCalls(GetCommand).map((c) => c.args[0].input.Key?.['pk'])).not.toContain('CAMPAIGN#cus_0a');
  });

  it('pauses an active campaign with a write conditional on the revision it read', async () => {
    const paused = await call('PATCH', '/admin/campaigns/cmp_0a', 'staff-key', { status: 'paused' });

    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', rev: 4 });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ pk: 'CAMPAIGN#cmp_0a', status: 'paused', rev: 4, listSk: storedCampaign.listSk }),
      ConditionExpression: '#rev = :expectedRev',
      ExpressionAttributeValues: { ':expectedRev': 3 },
    });
  });

  it('answers 409 to a move the status may not make, to a stale If-Match, and to a write that lost a race', async () => {
    const backToDraft = await call('PATCH', '/admin/campaigns/cmp_0a', 'owner-key', { status: 'draft' });
    const stale = await call('PATCH', '/admin/campaigns/cmp_0a', 'owner-key', { name: 'x' }, { 'if-match': '"2"' });
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const raced = await call('PATCH', '/admin/campaigns/cmp_0a', 'owner-key', { name: 'x' }, { 'if-match': '3' });

    expect([backToDraft.status, stale.status, raced.status]).toEqual([409, 409, 409]);
    expect(backToDraft.body).toMatchObject({ error: { code: 'conflict', message: 'campaign cmp_0a cannot go from active to draft' } });
  });

  it('answers 400 to an If-Match that is no revision, and to a field a campaign lacks', async () => {
    const badHeader = await call('PATCH', '/admin/campaigns/cmp_0a', 'owner-key', { name: 'x' }, { 'if-match': 'W/"abc"' });
    const unknownField = await call('PATCH', '/admin/campaigns/cmp_0a', 'owner-key', { rev: 9 });

    expect([badHeader.status, unknownField.status]).toEqual([400, 400]);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });
});

describe('Handler: admin complaints', () => {
  it('lets staff log a complaint: 201, open, stored in the customer partition under a new id', async () => {
    const logged = await call('POST', '/admin/customers/cus_0a/complaints', 'staff-key', { note: '  Parcel arrived broken ' });

    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ id: expect.stringMatching(/^cpl_[0-9a-f]{16}$/), customerId: 'cus_0a', status: 'open', note: 'Parcel arrived broken' });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ pk: 'CUSTOMER#cus_0a', sk: `COMPLAINT#${logged.body!['id']}`, status: 'open' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('answers 404 for an unknown customer, 400 for an empty note, 403 for a readonly key', async () => {
    const unknown = await call('POST', '/admin/customers/cus_ff/complaints', 'staff-key', { note: 'x' });
    const empty = await call('POST', '/admin/customers/cus_0a/complaints', 'staff-key', { note: '   ' });
    const readonly = await call('POST', '/admin/customers/cus_0a/complaints', 'readonly-key', { note: 'x' });

    expect([unknown.status, empty.status, readonly.status]).toEqual([404, 400, 403]);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it("lists a customer's complaints oldest first from a strongly consistent read of its partition", async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [
        { pk: 'CUSTOMER#cus_0a', sk: 'COMPLAINT#cpl_b', id: 'cpl_b', customerId: 'cus_0a', status: 'open', note: 'later', createdAt: '2026-02-02T00:00:00.000Z' },
        { pk: 'CUSTOMER#cus_0a', sk: 'COMPLAINT#cpl_a', id: 'cpl_a', customerId: 'cus_0a', status: 'resolved', note: 'earlier', createdAt: '2026-02-01T00:00:00.000Z' },
      ],
    });

    const listed = await call('GET', '/admin/customers/cus_0a/complaints', 'readonly-key');

    expect(listed.status).toBe(200);
    expect(listed.body!['items'].map((c: { id: string }) => c.id)).toEqual(['cpl_a', 'cpl_b']);
    expect(listed.body!['items'][0]).not.toHaveProperty('pk');
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cus_0a', ':prefix': 'COMPLAINT#' },
      ConsistentRead: true,
    });
  });

  it('resolves a complaint, keeping a first resolvedAt, and answers 404 to an unknown one and 400 to another status', async () => {
    const open = { pk: 'CUSTOMER#cus_0a', sk: 'COMPLAINT#cpl_0a', id: 'cpl_0a', customerId: 'cus_0a', status: 'open', note: 'n', createdAt: '2026-02-01T00:00:00.000Z' };
    dynamo.on(GetCommand, { Key: { pk: 'CUSTOMER#cus_0a', sk: 'COMPLAINT#cpl_0a' } }).resolves({ Item: open });
    dynamo.on(UpdateCommand).callsFake((input) => ({ Attributes: { ...open, status: 'resolved', resolvedAt: input.ExpressionAttributeValues[':at'] } }));

    const resolved = await call('PATCH', '/admin/customers/cus_0a/complaints/cpl_0a', 'staff-key', { status: 'resolved' });
    const unknown = await call('PATCH', '/admin/customers/cus_0a/complaints/cpl_ff', 'staff-key', { status: 'resolved' });
    const reopen = await call('PATCH', '/admin/customers/cus_0a/complaints/cpl_0a', 'staff-key', { status: 'open' });

    expect([resolved.status, unknown.status, reopen.status]).toEqual([200, 404, 400]);
    expect(resolved.body).toMatchObject({ id: 'cpl_0a', status: 'resolved', resolvedAt: expect.any(String) });
    expect(dynamo).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: 'CUSTOMER#cus_0a', sk: 'COMPLAINT#cpl_0a' },
      UpdateExpression: 'SET #status = :resolved, resolvedAt = if_not_exists(resolvedAt, :at)',
    });
  });
});

describe('Adapter: hasOpenComplaint', () => {
  it('asks one strongly consistent Query for open complaints of the customer', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [{ id: 'cpl_1', status: 'open' }] });

    expect(await hasOpenComplaint(testTableName, 'cus_0a')).toBe(true);
    expect(dynamo).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      TableName: testTableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': 'CUSTOMER#cus_0a', ':prefix': 'COMPLAINT#', ':open': 'open' },
      ConsistentRead: true,
    });
  });

  it('reads on past a page the filter emptied, and answers false when none is open', async () => {
    dynamo.on(QueryCommand).resolvesOnce({ Items: [], LastEvaluatedKey: { pk: 'CUSTOMER#cus_0a', sk: 'COMPLAINT#cpl_5' } }).resolves({ Items: [] });

    expect(await hasOpenComplaint(testTableName, 'cus_0a')).toBe(false);
    expect(dynamo).toHaveReceivedCommandTimes(QueryCommand, 2);
  });
});

describe('Handler: admin staff unsubscribe', () => {
  const unsubscribed = { ...profile, consent: { state: 'unsubscribed', at: '2026-03-01T00:00:00.000Z' }, rev: 8 };

  it('suppresses the address with reason staff, then sets only the consent and moves the revision', async () => {
    dynamo.on(UpdateCommand, { Key: { pk: 'CUSTOMER#cus_0a', sk: 'PROFILE' } }).resolves({ Attributes: unsubscribed });

    const result = await call('POST', '/admin/customers/cus_0a/unsubscribe', 'staff-key');

    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ id: 'cus_0a', consent: { email: 'unsubscribed', emailUpdatedAt: '2026-03-01T00:00:00.000Z' } });
    const [suppression, consent] = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(suppression).toMatchObject({
      Key: { pk: `SUPPRESSION#${sha256('ada@example.com')}`, sk: 'SUPPRESSION' },
      UpdateExpression: 'SET #reason = :reason, #at = :at',
      ConditionExpression: 'attribute_not_exists(#reason)',
      ExpressionAttributeValues: { ':reason': 'staff', ':at': expect.any(String) },
    });
    expect(consent).toMatchObject({
      Key: { pk: 'CUSTOMER#cus_0a', sk: 'PROFILE' },
      UpdateExpression: 'SET consent = :consent, updatedAt = :at ADD #rev :one',
      ExpressionAttributeValues: { ':consent': { state: 'unsubscribed', at: suppression?.ExpressionAttributeValues?.[':at'] }, ':one': 1 },
    });
  });

  it('keeps an earlier suppression and an earlier unsubscribe as they are, and answers 200 again', async () => {
    dynamo.on(GetCommand, { Key: { pk: 'CUSTOMER#cus_0a', sk: 'PROFILE' } }).resolves({ Item: { ...profile, email: ' Ada@Example.com', consent: unsubscribed.consent } });
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'suppressed already', $metadata: {} }));

    const again = await call('POST', '/admin/customers/cus_0a/unsubscribe', 'owner-key');

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ consent: { email: 'unsubscribed', emailUpdatedAt: '2026-03-01T00:00:00.000Z' } });
    expect(dynamo).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, { Key: { pk: `SUPPRESSION#${sha256('ada@example.com')}`, sk: 'SUPPRESSION' } });
  });

  it('answers 404 for an unknown customer and 403 for a readonly key, and writes nothing', async () => {
    const unknown = await call('POST', '/admin/customers/cus_ff/unsubscribe', 'staff-key');
    const readonly = await call('POST', '/admin/customers/cus_0a/unsubscribe', 'readonly-key');

    expect([unknown.status, readonly.status]).toEqual([404, 403]);
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  });
});

describe('Handler: admin campaigns, hostile bodies', () => {
  /** Campaign-shaped bodies with any field swapped for anything: the near misses a careless client sends. */
  const campaignish = fc
    .tuple(fc.constantFrom(...Object.keys(newCampaign), 'coupon', 'holdoutPercent', 'quietHours', 'repeatAfterDays', 'status', '__proto__'), fc.anything())
    .map(([field, value]) => ({ ...newCampaign, [field]: value }));
  const body = fc.oneof(fc.json(), fc.string(), campaignish.map((value) => JSON.stringify(value)));

  beforeEach(() => {
    // As DynamoDB answers ReturnValues ALL_NEW.
    dynamo.on(UpdateCommand, { Key: { pk: 'CUSTOMER#cus_0a', sk: 'PROFILE' } }).resolves({ Attributes: { ...profile, consent: { state: 'unsubscribed' } } });
  });

  it('never answers 5xx to any body or If-Match on the campaign and complaint routes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ['POST', '/admin/campaigns'],
          ['PATCH', '/admin/campaigns/cmp_0a'],
          ['POST', '/admin/customers/cus_0a/complaints'],
          ['PATCH', '/admin/customers/cus_0a/complaints/cpl_0a'],
          ['POST', '/admin/customers/cus_0a/unsubscribe'],
        ),
        body,
        fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        async ([method, path], raw, ifMatch) => {
          const event = httpEvent({
            method: method!,
            path: path!,
            routeKey: 'ANY /admin/{proxy+}',
            headers: { authorization: 'Bearer owner-key', ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
            body: raw,
          });
          const result = await handler(event, lambdaContext);
          expect(result.statusCode, `${method} ${path} ${raw}: ${result.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
