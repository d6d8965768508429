// Hostile admin input: malformed paths, ids and cursors get 4xx, never a 500.
// The DynamoDB mock refuses what DynamoDB refuses (empty, over-long or
// non-string key values, start keys of another shape), so a request that
// would reach DynamoDB with such a key fails here as it would there.
import { segments } from '../../functions/domain/scoring/rfm';
import { stages } from '../../functions/domain/scoring/lifecycle';
import { createHash } from 'node:crypto';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpEvent, lambdaContext } from '../support/events';
import { adminPath, listRequest } from '../support/hostile-admin-input';
import { setFunctionEnv } from '../support/handler-env';

setFunctionEnv('admin');

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const ownerKey = 'owner-key';
const ownerItem = { pk: `APIKEY#${createHash('sha256').update(ownerKey).digest('hex')}`, sk: 'APIKEY' };

class ValidationException extends Error {
  override name = 'ValidationException';
}

function keyValue(value: unknown, maxBytes: number): void {
  if (typeof value !== 'string' || value === '' || Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new ValidationException('One or more parameter values were invalid: a key attribute value is empty, too long or not a string');
  }
}

function tableKey(key: Record<string, unknown> | undefined): void {
  keyValue(key?.['pk'], 2048);
  keyValue(key?.['sk'], 1024);
}

function startKey(input: { ExclusiveStartKey?: Record<string, unknown>; IndexName?: string; ExpressionAttributeValues?: Record<string, unknown> }): void {
  const key = input.ExclusiveStartKey;
  if (!key) return;
  const [indexPk, indexSk] = input.IndexName === 'ordersByCustomer' ? ['customerId', 'placedAtUtc'] : ['listPk', 'listSk'];
  const names = Object.keys(key).sort();
  if (names.join() !== ['pk', 'sk', indexPk, indexSk].sort().join()) {
    throw new ValidationException('The provided starting key is invalid: The provided key element does not match the schema');
  }
  tableKey(key);
  keyValue(key[indexPk], 2048);
  keyValue(key[indexSk], 1024);
  if (key[indexPk] !== input.ExpressionAttributeValues?.[':list']) {
    throw new ValidationException('The provided starting key is invalid: Query key condition not supported');
  }
}

function wirePathToEvent(method: string, wirePath: string, query?: Record<string, string>) {
  let rawPath: string;
  try {
    // What an HTTP API hands over: the path percent-decoded once.
    rawPath = decodeURIComponent(wirePath);
  } catch {
    // Should a gateway pass an undecodable path on, the function still answers 4xx.
    rawPath = wirePath;
  }
  return httpEvent({ method, path: rawPath, routeKey: 'ANY /admin/{proxy+}', headers: { authorization: `Bearer ${ownerKey}` }, ...(query ? { query } : {}) });
}

beforeAll(async () => {
  ({ handler } = (await import('../../functions/handlers/admin')) as never);
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
  dynamo.on(GetCommand).callsFake((input: { Key?: Record<string, unknown> }) => {
    tableKey(input.Key);
    return input.Key?.['pk'] === ownerItem.pk ? { Item: { id: 'key_1', role: 'owner', createdAt: 'x' } } : {};
  });
  dynamo.on(QueryCommand).callsFake((input) => {
    startKey(input);
    const expressions = [input.KeyConditionExpression, input.FilterExpression].join(' ');
    for (const [name, value] of Object.entries(input.ExpressionAttributeValues ?? {})) {
      if (value === '' || value === undefined) throw new ValidationException('an expression attribute value is empty');
      if (!new RegExp(`${name}\\b`).test(expressions)) throw new ValidationException(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${name}}`);
    }
    const after = input.ExpressionAttributeValues?.[':after'];
    if (after !== undefined) keyValue(after, 1024);
    return { Items: [] };
  });
  dynamo.on(PutCommand).callsFake((input) => (tableKey(input.Item), {}));
  dynamo.on(UpdateCommand).callsFake((input) => (tableKey(input.Key), {}));
  dynamo.on(DeleteCommand).callsFake((input) => (tableKey(input.Key), {}));
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
});

describe('Handler: admin, hostile input', () => {
  it('answers 400 to a path that still holds a percent sign once decoded', async () => {
    const bare = await handler(wirePathToEvent('GET', '/admin/customers/%'), lambdaContext);
    const doubled = await handler(wirePathToEvent('GET', '/admin/customers/%2525'), lambdaContext);

    expect([bare.statusCode, doubled.statusCode]).toEqual([400, 400]);
    expect(JSON.parse(bare.body!)).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('answers 404 without a read for an id that is not of its kind or is over-long', async () => {
    const paths = [
      `/admin/customers/cus_${'a'.repeat(5000)}`,
      '/admin/customers/ch_0a',
      '/admin/channels/cus_0a',
      '/admin/quarantine/q_XYZ',
      '/admin/exports/exp_',
      '/admin/customers/cus_0a%2Fx',
    ];

    const statuses = [];
    for (const path of paths) statuses.push((await handler(wirePathToEvent('GET', path), lambdaContext)).statusCode);
    const revoke = await handler(wirePathToEvent('DELETE', '/admin/keys/key_../x'), lambdaContext);

    expect(statuses).toEqual([404, 404, 404, 404, 404, 404]);
    expect(revoke.statusCode).toBe(404);
    expect(dynamo.commandCalls(GetCommand).every((call) => call.args[0].input.Key?.['pk'] === ownerItem.pk)).toBe(true);
    expect(dynamo).not.toHaveReceivedCommand(QueryCommand);
  });

  it('answers 400 to a JSON object passed as a cursor, and to a cursor of another list', async () => {
    const asCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const quarantineCursor = asCursor({ pk: 'QUARANTINE#q_1', sk: 'QUARANTINE', listPk: 'QUARANTINE', listSk: '2026#q_1' });

    const statuses = [];
    for (const cursor of [asCursor({}), asCursor({ a: 1 }), asCursor({ pk: 'x', sk: 'y', listPk: 'CUSTOMERS', listSk: 5 }), quarantineCursor]) {
      statuses.push((await handler(wirePathToEvent('GET', '/admin/customers', { cursor }), lambdaContext)).statusCode);
    }
    const ownList = await handler(wirePathToEvent('GET', '/admin/quarantine', { cursor: quarantineCursor }), lambdaContext);

    expect(statuses).toEqual([400, 400, 400, 400]);
    expect(ownList.statusCode).toBe(200);
  });

  it('answers 400 to a customer-list cursor of the other order, of the list before its shards, or naming no customer', async () => {
    const asCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const after = '2026-01-01T00:00:00.000Z#cus_0a';
    const cursors = [
      asCursor({ after, order: 'oldest' }),
      asCursor({ pk: 'CUSTOMER#cus_0a', sk: 'PROFILE', listPk: 'CUSTOMERS', listSk: after }),
      asCursor({ after: '2026-01-01T00:00:00.000Z#ch_0a', order: 'newest' }),
      asCursor({ after: 'yesterday#cus_0a', order: 'newest' }),
      asCursor({ after: `${after}${'0'.repeat(1100)}`, order: 'newest' }),
      asCursor({ after, order: 'newest', listPk: 'CUSTOMERS#00' }),
    ];

    const statuses = [];
    for (const cursor of cursors) statuses.push((await handler(wirePathToEvent('GET', '/admin/customers', { cursor }), lambdaContext)).statusCode);
    const queriedForRefused = dynamo.commandCalls(QueryCommand).length;
    const own = await handler(wirePathToEvent('GET', '/admin/customers', { cursor: asCursor({ after, order: 'newest' }) }), lambdaContext);

    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
    expect(queriedForRefused).toBe(0);
    expect(own.statusCode).toBe(200);
  });

  it('answers 200 to every stage and segment filter, reading each shard of its byScore list once', async () => {
    const statuses = [];
    for (const stage of stages) statuses.push((await handler(wirePathToEvent('GET', '/admin/customers', { stage }), lambdaContext)).statusCode);
    for (const segment of segments) {
      statuses.push((await handler(wirePathToEvent('GET', '/admin/customers', { segment, sort: 'clv' }), lambdaContext)).statusCode);
    }

    expect(statuses).toEqual([...stages, ...segments].map(() => 200));
    const queries = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.every((input) => input.IndexName === 'byScore')).toBe(true);
    const partitions = queries.map((input) => input.ExpressionAttributeValues?.[':list']);
    expect(partitions).toHaveLength((stages.length + segments.length) * 16);
    expect(new Set(partitions).size).toBe((stages.length + segments.length) * 16);
    expect(partitions).toContain('STAGE#lapsed#15');
    expect(partitions).toContain('SEGMENT#at_risk#00');
  });

  it('answers 400 to an unknown stage or segment, a clv sort without one, and a segment with q, before any read', async () => {
    const refused: Record<string, string>[] = [{ stage: 'vip' }, { segment: 'whales' }, { sort: 'clv' }, { segment: 'lost', q: 'ada' }, { segment: 'lost', sort: 'newest' }];
    const statuses = [];
    for (const search of refused) statuses.push((await handler(wirePathToEvent('GET', '/admin/customers', search), lambdaContext)).statusCode);

    expect(statuses).toEqual(refused.map(() => 400));
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('never answers 5xx to an arbitrary path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'), adminPath, async (method, path) => {
        const result = await handler(wirePathToEvent(method, path), lambdaContext);
        expect(result.statusCode, `${method} ${path}: ${result.body}`).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
  });

  it('never answers 5xx to an arbitrary cursor or limit', async () => {
    await fc.assert(
      fc.asyncProperty(listRequest, async ({ path, query }) => {
        const result = await handler(wirePathToEvent('GET', path, query), lambdaContext);
        expect(result.statusCode, `${path} ${JSON.stringify(query)}: ${result.body}`).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
  });
});

describe('Handler: admin, store API URLs in a deployed stack', () => {
  const withBody = (method: string, path: string, body: unknown) =>
    httpEvent({ method, path, routeKey: 'ANY /admin/{proxy+}', headers: { authorization: `Bearer ${ownerKey}` }, body: JSON.stringify(body) });
  const bigCommerce = (apiBaseUrl: string) => ({ platform: 'bigcommerce', name: 'BC', webhookSecret: 's', apiToken: 't', apiBaseUrl });

  it.each([
    ['file:///etc/passwd', /https/],
    ['http://api.bigcommerce.com/stores/abc', /https/],
    ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254/],
    ['https://[fd00:ec2::254]/', /fd00:ec2::254/],
    ['https://[::ffff:127.0.0.1]/', /::ffff:7f00:1/],
    ['https://2130706433/', /127\.0\.0\.1/],
    ['https://0/', /0\.0\.0\.0/],
    ['http://127.0.0.1:8080/', /https/],
  ])('answers 400 and stores nothing for apiBaseUrl %s', async (apiBaseUrl, reason) => {
    const result = await handler(withBody('POST', '/admin/channels', bigCommerce(apiBaseUrl)), lambdaContext);

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!).error.message).toMatch(/apiBaseUrl/);
    expect(JSON.parse(result.body!).error.message).toMatch(reason);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 400 to a patch that points a channel at the metadata address', async () => {
    dynamo.on(GetCommand, { Key: { pk: 'CHANNEL#ch_0a', sk: 'CHANNEL' } }).resolves({
      Item: { id: 'ch_0a', platform: 'bigcommerce', name: 'BC', webhookSecrets: ['s'], apiBaseUrl: 'https://api.bigcommerce.com/stores/a', apiToken: 't', status: 'active', createdAt: 'x', updatedAt: 'x' },
    });

    const result = await handler(withBody('PATCH', '/admin/channels/ch_0a', { apiBaseUrl: 'https://169.254.169.254/' }), lambdaContext);

    expect(result.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
  });

  it('accepts a public https URL', async () => {
    const result = await handler(withBody('POST', '/admin/channels', bigCommerce('https://api.bigcommerce.com/stores/abc')), lambdaContext);

    expect(result.statusCode).toBe(201);
  });
});
