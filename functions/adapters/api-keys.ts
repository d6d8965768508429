// API keys: shown once at creation, stored only as a SHA-256 hash.
import { createHash, randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../domain/access';
import { capacityMeter, documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';

export interface ApiKeyRecord {
  id: string;
  role: Role;
  createdAt: string;
}

export function generateApiKey(): string {
  return `hk_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function newKeyId(): string {
  return `key_${randomBytes(8).toString('hex')}`;
}

export async function createApiKey(
  tableName: string,
  role: Role,
  key: string = generateApiKey(),
): Promise<ApiKeyRecord & { key: string }> {
  const record: ApiKeyRecord = { id: newKeyId(), role, createdAt: new Date().toISOString() };
  const result = await documentClient().send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...itemKeys.apiKey(hashApiKey(key)),
        ...record,
        listPk: lists.apiKeys,
        listSk: record.id,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  capacityMeter.record('write', result.ConsumedCapacity);
  return { ...record, key };
}

/** Makes sure `key` exists with `role`; used to seed the first owner key. Idempotent. */
export async function ensureApiKey(input: { tableName: string; key: string; role: Role }): Promise<void> {
  try {
    await createApiKey(input.tableName, input.role, input.key);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

export async function findApiKey(tableName: string, key: string): Promise<ApiKeyRecord | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.apiKey(hashApiKey(key)) }),
  );
  if (!result.Item) return undefined;
  const { id, role, createdAt } = result.Item as ApiKeyRecord;
  return { id, role, createdAt };
}

/** Deletes the key with this id; false when there is none. */
export async function revokeApiKey(tableName: string, id: string): Promise<boolean> {
  const found = await documentClient().send(
    new QueryCommand({
      TableName: tableName,
      IndexName: indexes.listByKind,
      KeyConditionExpression: 'listPk = :list AND listSk = :id',
      ExpressionAttributeValues: { ':list': lists.apiKeys, ':id': id },
    }),
  );
  const item = found.Items?.[0];
  if (!item) return false;
  await documentClient().send(
    new DeleteCommand({ TableName: tableName, Key: { pk: item['pk'], sk: item['sk'] } }),
  );
  return true;
}
