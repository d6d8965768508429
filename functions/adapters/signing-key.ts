// The key that signs unsubscribe links: 32 random bytes in the table, made by
// whichever function needs it first. A conditional put makes two racing
// creators agree: the loser reads the winner's key. Cached per process (per
// table); a failed read is not cached. The key never leaves the function: it
// is not logged, returned or put in a message.
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './dynamo-client';
import { itemKeys } from './dynamo-keys';

const keyBytes = 32;
const cache = new Map<string, Promise<Uint8Array>>();

export function unsubscribeSigningKey(tableName: string): Promise<Uint8Array> {
  let key = cache.get(tableName);
  if (!key) {
    key = loadOrCreate(tableName);
    cache.set(tableName, key);
    key.catch(() => cache.delete(tableName));
  }
  return key;
}

async function read(tableName: string): Promise<Uint8Array | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.signingKey(), ConsistentRead: true }),
  );
  const stored: unknown = result.Item?.['key'];
  return stored instanceof Uint8Array && stored.length === keyBytes ? stored : undefined;
}

async function loadOrCreate(tableName: string): Promise<Uint8Array> {
  const existing = await read(tableName);
  if (existing) return existing;
  const created = new Uint8Array(randomBytes(keyBytes));
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName,
        Item: { ...itemKeys.signingKey(), key: created, createdAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return created;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // Another function created it between our read and our put: use that one.
    const winner = await read(tableName);
    if (!winner) throw new Error('the unsubscribe signing key exists but cannot be read', { cause: error });
    return winner;
  }
}
