// Values too large for one DynamoDB item (400 KB): raw payloads, quarantined
// bodies and the inbox of deliveries too large for an SQS message. A value up to
// maxChunkBytes lives in its head item; a larger one is split into chunk items
// in the head's partition, under `<head sk>#<version>#<n>`. The head names the
// version it uses, so a reader never mixes two writes, and a privacy erasure
// finds every chunk, an orphan of a crashed write included, by its key prefix.
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { HuitouError } from '../shared/errors';
import { capacityMeter, documentClient } from './dynamo-client';
import type { ItemKey } from './dynamo-keys';
import { itemsUnderPrefix } from './pagination';

type Item = Record<string, unknown>;

/** Bytes of value per item: leaves some 50 KB of the 400 KB item for keys and the head's attributes. */
export const maxChunkBytes = 350 * 1024;

/** A head that names chunks that are not there (all retries read a replaced version). */
export class BlobIncompleteError extends HuitouError {}

export interface ChunkRange {
  readonly start: number;
  readonly end: number;
}

/** Where each chunk of a value of `size` bytes starts and ends; none when it fits its head. */
export function chunkRanges(size: number, chunkBytes: number = maxChunkBytes): ChunkRange[] {
  if (size <= chunkBytes) return [];
  const ranges: ChunkRange[] = [];
  for (let start = 0; start < size; start += chunkBytes) ranges.push({ start, end: Math.min(size, start + chunkBytes) });
  return ranges;
}

/** The sort key of chunk `index`; zero-padded so that a Query returns chunks in order. */
export function chunkSortKey(headSk: string, version: string, index: number): string {
  return `${headSk}#${version}#${String(index).padStart(4, '0')}`;
}

interface ChunkedHead {
  version: string;
  chunks: number;
  bytes: number;
}

export interface BlobPut {
  /** The head item; chunks share its partition. */
  key: ItemKey;
  data: Uint8Array;
  /** Stored on the head beside the value (keep them small). */
  attributes?: Item;
  /** A condition on the head's put; when it fails nothing changes and putBlob answers false. */
  condition?: { expression: string; values?: Item; names?: Record<string, string> };
  /** Epoch seconds after which DynamoDB's TTL removes the head and its chunks. */
  expiresAt?: number;
}

export interface StoredBlob {
  data: Buffer;
  /** The head's own attributes, keys and storage fields left out. */
  attributes: Item;
}

const storageFields = new Set(['pk', 'sk', 'data', 'blob', 'expiresAt']);

async function putItem(tableName: string, item: Item): Promise<void> {
  const result = await documentClient().send(
    new PutCommand({ TableName: tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
  );
  capacityMeter.record('write', result.ConsumedCapacity);
}

async function deleteKeys(tableName: string, keys: ItemKey[]): Promise<void> {
  await Promise.all(
    keys.map(async (key) => {
      const result = await documentClient().send(
        new DeleteCommand({ TableName: tableName, Key: key, ReturnConsumedCapacity: 'TOTAL' }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
    }),
  );
}

function chunkKeys(key: ItemKey, head: ChunkedHead): ItemKey[] {
  return Array.from({ length: head.chunks }, (_, i) => ({ pk: key.pk, sk: chunkSortKey(key.sk, head.version, i) }));
}

/**
 * Writes the value: chunks first, then the head that points at them, so a
 * reader never sees a head without its chunks. The chunks of the value it
 * replaces are deleted after. Answers false when the condition failed.
 */
export async function putBlob(tableName: string, put: BlobPut): Promise<boolean> {
  const { key, data } = put;
  const ttl = put.expiresAt === undefined ? {} : { expiresAt: put.expiresAt };
  const ranges = chunkRanges(data.byteLength);
  let chunked: ChunkedHead | undefined;
  if (ranges.length > 0) {
    chunked = { version: randomBytes(6).toString('hex'), chunks: ranges.length, bytes: data.byteLength };
    const version = chunked.version;
    await Promise.all(
      ranges.map(({ start, end }, i) =>
        putItem(tableName, { pk: key.pk, sk: chunkSortKey(key.sk, version, i), data: data.subarray(start, end), ...ttl }),
      ),
    );
  }
  const head: Item = { ...put.attributes, ...key, ...ttl, ...(chunked ? { blob: chunked } : { data }) };
  let previous: Item | undefined;
  try {
    const result = await documentClient().send(
      new PutCommand({
        TableName: tableName,
        Item: head,
        ConditionExpression: put.condition?.expression,
        ExpressionAttributeNames: put.condition?.names,
        ExpressionAttributeValues: put.condition?.values,
        // The replaced head says which chunks to delete, at no read cost.
        ReturnValues: 'ALL_OLD',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
    previous = result.Attributes;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (chunked) await deleteKeys(tableName, chunkKeys(key, chunked));
    return false;
  }
  const replaced = previous?.['blob'] as ChunkedHead | undefined;
  if (replaced && replaced.version !== chunked?.version) await deleteKeys(tableName, chunkKeys(key, replaced));
  return true;
}

async function readChunks(tableName: string, key: ItemKey, head: ChunkedHead): Promise<Buffer | undefined> {
  const chunks = await itemsUnderPrefix({ tableName, partition: key.pk, prefix: `${key.sk}#${head.version}#` });
  const parts = chunks.map((item) => item['data'] as Uint8Array);
  const data = Buffer.concat(parts);
  return parts.length === head.chunks && data.byteLength === head.bytes ? data : undefined;
}

/** The value and the head's attributes; undefined when there is no head or it holds no value. */
export async function getBlob(tableName: string, key: ItemKey): Promise<StoredBlob | undefined> {
  // A head read just before a replacement may name chunks already deleted: read it again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const result = await documentClient().send(
      new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
    );
    capacityMeter.record('read', result.ConsumedCapacity);
    const item = result.Item;
    if (!item) return undefined;
    const attributes = Object.fromEntries(Object.entries(item).filter(([name]) => !storageFields.has(name)));
    if (item['data'] !== undefined) return { data: Buffer.from(item['data'] as Uint8Array), attributes };
    const head = item['blob'] as ChunkedHead | undefined;
    if (!head) return undefined;
    const data = await readChunks(tableName, key, head);
    if (data) return { data, attributes };
  }
  throw new BlobIncompleteError(`the chunks of ${key.pk} ${key.sk} are incomplete`);
}

/** Deletes the head and every chunk under it, whichever version wrote them. */
export async function deleteBlob(tableName: string, key: ItemKey): Promise<void> {
  let startKey: Item | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': key.pk, ':prefix': `${key.sk}#` },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('read', page.ConsumedCapacity);
    await deleteKeys(
      tableName,
      (page.Items ?? []).map((item) => ({ pk: String(item['pk']), sk: String(item['sk']) })),
    );
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  // The head goes last: until then a retried erasure still finds the blob.
  await deleteKeys(tableName, [key]);
}
