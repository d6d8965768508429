// The blob store against DynamoDB Local, which enforces the 400 KB item limit:
// values at and around the chunk size, replacements, conditions and erasure.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials, localRegion, startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/emulators';
import { ensureTable } from '../../bin/local/provision';

const tableName = `blobs${process.pid}`;
let dynamodb: DynamoDbLocal;
let db: DynamoDBDocumentClient;
let blobs: typeof import('../../functions/adapters/blob-store');

async function partition(pk: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, any> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

let nextKey = 0;
const freshKey = () => ({ pk: `BLOB#${nextKey++}`, sk: 'VALUE' });

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal({ log: () => undefined });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  });
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: localRegion, credentials: localCredentials });
  db = DynamoDBDocumentClient.from(client);
  await ensureTable(client, tableName);
  // Imported after the endpoint is set: its client reads it once.
  blobs = await import('../../functions/adapters/blob-store');
});

afterAll(async () => {
  db?.destroy();
  await dynamodb?.stop();
});

describe('Adapter: blob store', () => {
  it.each([0, 1, 350 * 1024 - 1, 350 * 1024, 350 * 1024 + 1, 700 * 1024 + 1, 1024 * 1024, 3 * 1024 * 1024])(
    'stores and reads back %i random bytes, no item over DynamoDB’s limit',
    async (size) => {
      const key = freshKey();
      const data = randomBytes(size);

      expect(await blobs.putBlob(tableName, { key, data, attributes: { note: 'kept' } })).toBe(true);
      const stored = await blobs.getBlob(tableName, key);

      expect(stored?.data.equals(data)).toBe(true);
      expect(stored?.attributes).toEqual({ note: 'kept' });
      expect(await partition(key.pk)).toHaveLength(1 + blobs.chunkRanges(size).length);
    },
  );

  it('deletes the chunks of the value it replaces', async () => {
    const key = freshKey();
    await blobs.putBlob(tableName, { key, data: randomBytes(900 * 1024) });

    await blobs.putBlob(tableName, { key, data: Buffer.from('small') });

    expect((await blobs.getBlob(tableName, key))?.data.toString()).toBe('small');
    expect(await partition(key.pk)).toHaveLength(1);
  });

  it('changes nothing and leaves no chunk behind when its condition fails', async () => {
    const key = freshKey();
    const first = randomBytes(400 * 1024);
    await blobs.putBlob(tableName, { key, data: first, attributes: { n: 2 } });

    const written = await blobs.putBlob(tableName, {
      key,
      data: randomBytes(800 * 1024),
      attributes: { n: 1 },
      condition: { expression: 'n <= :n', values: { ':n': 1 } },
    });

    expect(written).toBe(false);
    expect((await blobs.getBlob(tableName, key))?.data.equals(first)).toBe(true);
    expect(await partition(key.pk)).toHaveLength(1 + blobs.chunkRanges(first.length).length);
  });

  it('erases the head and every chunk, an orphan of a crashed write included', async () => {
    const key = freshKey();
    await blobs.putBlob(tableName, { key, data: randomBytes(800 * 1024) });
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: key.pk, sk: blobs.chunkSortKey(key.sk, 'crashed', 0), data: Buffer.from('x') } }));
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: key.pk, sk: 'OTHER', kept: true } }));

    await blobs.deleteBlob(tableName, key);

    expect(await blobs.getBlob(tableName, key)).toBeUndefined();
    expect(await partition(key.pk)).toEqual([{ pk: key.pk, sk: 'OTHER', kept: true }]);
  });
});
