import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, sqsEvent } from '../support/events';
import { setFunctionEnv } from '../support/handler-env';

setFunctionEnv('processor');

const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (event: unknown, context: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

const order = readFileSync(new URL('../fixtures/marketplaces/shopify/orders_updated.derived-from-official-rest.json', import.meta.url));
const refund = readFileSync(new URL('../fixtures/marketplaces/shopify/refunds_create.derived-from-official-rest.json', import.meta.url));

function delivery(body: Buffer | string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    v: 1,
    channelId: 'ch_shop',
    platform: 'shopify',
    topic: 'orders/create',
    deliveryId: 'wh-1',
    receivedAt: '2026-01-01T00:00:00Z',
    bodyGzip: gzipSync(Buffer.from(body)).toString('base64'),
    ...overrides,
  });
}

beforeAll(async () => {
  ({ handler } = (await import('../../functions/handlers/processor')) as never);
});

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(GetCommand, { Key: { pk: 'CHANNEL#ch_shop', sk: 'CHANNEL' } }).resolves({
    Item: { id: 'ch_shop', platform: 'shopify', name: 'Main', webhookSecrets: ['s'], status: 'active' },
  });
  dynamo.on(BatchGetCommand).resolves({ Responses: { 'huitou-test': [] } });
  dynamo.on(TransactWriteCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
});

describe('Handler: processor', () => {
  it('writes a new order and its new customer, each in one transaction', async () => {
    dynamo
      .on(GetCommand)
      .callsFake((input: { Key: { pk: string } }) =>
        input.Key.pk.startsWith('CUSTOMER#')
          ? { Item: { id: input.Key.pk.slice(9), rev: 0, createdAt: 't', updatedAt: 't', consent: { state: 'unknown' }, channels: [], channelCustomerIds: {}, figures: { orders: 0, purchaseDays: 0, grossMinor: 0, refundedMinor: 0, netMinor: 0, currency: null, firstOrderAt: null, lastOrderAt: null }, otherCurrencies: {} } }
          : input.Key.pk === 'CHANNEL#ch_shop'
            ? { Item: { id: 'ch_shop', platform: 'shopify', name: 'Main', webhookSecrets: ['s'], status: 'active' } }
            : {},
      );

    const result = await handler(sqsEvent([delivery(order)]), lambdaContext);

    expect(result.batchItemFailures).toEqual([]);
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    const [, orderWrite] = dynamo.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems!);
    expect(orderWrite![0]!.Update!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(orderWrite![1]!.Put!.Item).toMatchObject({ figures: { orders: 1, grossMinor: 59894, refundedMinor: 20900 } });
  });

  it('quarantines a signed body that is not JSON and reports the record as done', async () => {
    const result = await handler(sqsEvent([delivery('{"id": 1, oops')]), lambdaContext);

    expect(result.batchItemFailures).toEqual([]);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ listPk: 'QUARANTINE', reason: 'body is not JSON', deliveryId: 'wh-1' }),
    });
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('quarantines a refunds/create that would refund more than the stored order paid, and writes nothing to the order', async () => {
    dynamo.on(GetCommand, { Key: { pk: 'ORDER#ch_shop#450789469', sk: 'ORDER' } }).resolves({
      Item: {
        channelId: 'ch_shop', platform: 'shopify', orderId: '450789469', placedAt: '2026-01-01T10:00:00Z', placedDay: '2026-01-01',
        updatedAt: '2026-01-01T10:00:00Z', status: 'open', test: false, currency: 'USD', totalMinor: 4000, refunds: {},
        discountCodes: [], placeholder: false, customerId: 'cus_1', version: 1,
      },
    });

    const result = await handler(sqsEvent([delivery(refund, { topic: 'refunds/create' })]), lambdaContext);

    expect(result.batchItemFailures).toEqual([]);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        listPk: 'QUARANTINE',
        reason: 'refunds over the order total',
        issues: ['refunds: 4194 refunded is more than the 4000 paid (minor units)'],
      }),
    });
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('fails only the record that is not a huitou envelope, so SQS retries it and then the DLQ keeps it', async () => {
    const result = await handler(sqsEvent(['{"not":"an envelope"}', delivery('{"id": 1, oops')]), lambdaContext);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: 'FAILURE#dl_msg_m0', sk: 'FAILURE' },
      ExpressionAttributeValues: expect.objectContaining({
        ':reason': expect.stringMatching(/^MalformedMessageError: the queue message is not an ingest message/),
        ':count': 1,
      }),
    });
  });

  it('records the failure of a delivery with its reason and lists it as dead on its last receive', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('service unavailable'));
    const event = sqsEvent([delivery(order)]);
    event.Records[0]!.attributes.ApproximateReceiveCount = '5';

    await expect(handler(event, lambdaContext)).rejects.toThrow(/All records failed/);

    const update = dynamo.commandCalls(UpdateCommand).find((call) => call.args[0].input.Key?.['pk']?.startsWith('FAILURE#'));
    expect(update?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':channelId': 'ch_shop',
      ':deliveryId': 'wh-1',
      ':count': 5,
      ':reason': 'Error: service unavailable',
      ':list': 'DEADLETTERS',
    });
  });

  it('fails the batch when DynamoDB is unavailable, so SQS delivers it again and nothing accepted is lost', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('service unavailable'));

    await expect(handler(sqsEvent([delivery(order)]), lambdaContext)).rejects.toThrow(/All records failed/);
  });
});
