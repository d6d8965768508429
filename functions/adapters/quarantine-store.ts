// Quarantine: signed deliveries that could not be read or did not fit the
// schema. Kept whole, listed for staff, and replayable after a fix.
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QuarantinedBodies } from '../app/privacy';
import type { Platform } from '../domain/model';
import { documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';
import { gunzipBase64 } from './ingest-queue';
import { listAll, listPage, type Page } from './pagination';

export interface QuarantineEntry {
  id: string;
  channelId: string;
  platform: Platform;
  topic: string;
  deliveryId: string;
  eventId?: string | undefined;
  receivedAt: string;
  reason: string;
  issues: string[];
  /** open: waiting for staff; requeued: replay sent; resolved: a replay went through; redacted: body erased by a privacy request. */
  status: 'open' | 'requeued' | 'resolved' | 'redacted';
  updatedAt: string;
}

export interface StoredQuarantineEntry extends QuarantineEntry {
  /** The raw body, gzipped then base64, exactly as received. */
  bodyGzip: string | undefined;
  /** Hashed identities the body holds (domain/privacy.ts), so erasure need not read it; absent on older entries. */
  identityDigests?: string[] | undefined;
}

/** The same delivery quarantined twice is one entry. */
export function quarantineId(channelId: string, deliveryId: string): string {
  return `q_${createHash('sha256').update(`${channelId}\n${deliveryId}`).digest('hex').slice(0, 24)}`;
}

function fromItem(item: Record<string, unknown>): StoredQuarantineEntry {
  const { pk: _pk, sk: _sk, listPk: _listPk, listSk: _listSk, ...entry } = item;
  return entry as unknown as StoredQuarantineEntry;
}

export function entryView(entry: StoredQuarantineEntry): QuarantineEntry {
  const { bodyGzip: _body, identityDigests: _digests, ...view } = entry;
  return view;
}

export async function putQuarantine(tableName: string, entry: StoredQuarantineEntry): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...itemKeys.quarantine(entry.id),
        ...entry,
        listPk: lists.quarantine,
        listSk: `${entry.receivedAt}#${entry.id}`,
      },
    }),
  );
}

export async function getQuarantine(tableName: string, id: string): Promise<StoredQuarantineEntry | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.quarantine(id), ConsistentRead: true }),
  );
  return result.Item ? fromItem(result.Item) : undefined;
}

export async function listQuarantine(
  tableName: string,
  options: { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<StoredQuarantineEntry>> {
  const page = await listPage(
    { tableName, index: indexes.listByKind, partition: lists.quarantine, newestFirst: true },
    { cursor: options.cursor, limit: options.limit ?? 50 },
  );
  return { items: page.items.map(fromItem), nextCursor: page.nextCursor };
}

export async function setQuarantineStatus(
  tableName: string,
  id: string,
  status: QuarantineEntry['status'],
): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName,
      Key: itemKeys.quarantine(id),
      UpdateExpression: 'SET #status = :status, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':now': new Date().toISOString() },
    }),
  );
}

/** The raw body as received; undefined once erased. */
export async function readQuarantineBody(tableName: string, id: string): Promise<Buffer | undefined> {
  const entry = await getQuarantine(tableName, id);
  return entry?.bodyGzip ? gunzipBase64(entry.bodyGzip) : undefined;
}

/** The quarantine as privacy requests see it: entries that still hold a body, read only when needed. */
export function quarantinedBodies(tableName: string): QuarantinedBodies {
  return {
    async withBodies() {
      const items = await listAll({
        tableName,
        index: indexes.listByKind,
        partition: lists.quarantine,
        filter: { expression: '#status <> :redacted', names: { '#status': 'status' }, values: { ':redacted': 'redacted' } },
        attributes: ['id', 'channelId', 'topic', 'identityDigests'],
      });
      return items.map((item) => {
        const { id, channelId, topic, identityDigests } = fromItem(item);
        return { id, channelId, topic, identityDigests };
      });
    },
    body: (id) => readQuarantineBody(tableName, id),
    eraseBody: (id) => eraseQuarantineBody(tableName, id),
  };
}

/** Privacy requests: drop the body, keep the fact that a delivery came. */
export async function eraseQuarantineBody(tableName: string, id: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName,
      Key: itemKeys.quarantine(id),
      UpdateExpression: 'SET #status = :redacted, updatedAt = :now REMOVE bodyGzip',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':redacted': 'redacted', ':now': new Date().toISOString() },
    }),
  );
}
