// Quarantine: signed deliveries that could not be read or did not fit the
// schema. Kept whole, listed for staff, and replayable after a fix. The listed
// entry holds what staff scan; the body, gzipped, is a blob beside it (chunked
// when large), so neither the entry nor the list index ever nears 400 KB.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Platform } from '../domain/model';
import { deleteBlob, getBlob, putBlob } from './blob-store';
import { documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';

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
  /** The raw body, gzipped then base64, exactly as received; undefined once erased. */
  bodyGzip: string | undefined;
}

/**
 * What an entry keeps of the schema's complaints: a hostile body can fail on
 * every one of thousands of fields, and the entry must stay a small item.
 */
export const maxIssues = 50;
export const maxIssueLength = 500;

function keptIssues(issues: string[]): string[] {
  const kept = issues.slice(0, maxIssues).map((issue) => issue.slice(0, maxIssueLength));
  return issues.length > maxIssues ? [...kept, `… and ${issues.length - maxIssues} more`] : kept;
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
  const { bodyGzip: _body, ...view } = entry;
  return view;
}

/** Keeps the entry and its raw body: the body first, so a listed entry always has one. */
export async function putQuarantine(tableName: string, entry: QuarantineEntry, body: Uint8Array): Promise<void> {
  await putBlob(tableName, { key: itemKeys.quarantineBody(entry.id), data: gzipSync(body) });
  await documentClient().send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...itemKeys.quarantine(entry.id),
        ...entry,
        issues: keptIssues(entry.issues),
        listPk: lists.quarantine,
        listSk: `${entry.receivedAt}#${entry.id}`,
      },
    }),
  );
}

/** The body as received; entries written before bodies became blobs kept it in the entry. */
async function storedBodyGzip(tableName: string, entry: StoredQuarantineEntry): Promise<string | undefined> {
  const blob = await getBlob(tableName, itemKeys.quarantineBody(entry.id));
  return blob ? blob.data.toString('base64') : entry.bodyGzip;
}

export async function getQuarantine(tableName: string, id: string): Promise<StoredQuarantineEntry | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.quarantine(id), ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  const entry = fromItem(result.Item);
  return { ...entry, bodyGzip: await storedBodyGzip(tableName, entry) };
}

/** The raw body of an entry; undefined when there is no such entry or its body was erased. */
export async function quarantineBody(tableName: string, id: string): Promise<Buffer | undefined> {
  const bodyGzip = (await getQuarantine(tableName, id))?.bodyGzip;
  return bodyGzip === undefined ? undefined : gunzipSync(Buffer.from(bodyGzip, 'base64'));
}

export async function listQuarantine(
  tableName: string,
  options: { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<StoredQuarantineEntry>> {
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName,
      IndexName: indexes.listByKind,
      KeyConditionExpression: 'listPk = :list',
      ExpressionAttributeValues: { ':list': lists.quarantine },
      ScanIndexForward: false,
      Limit: options.limit ?? 50,
      ExclusiveStartKey: decodeCursor(options.cursor),
    }),
  );
  return { items: (page.Items ?? []).map(fromItem), nextCursor: encodeCursor(page.LastEvaluatedKey) };
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

/** Every entry, body included: privacy requests look through them. */
export async function allQuarantine(tableName: string): Promise<StoredQuarantineEntry[]> {
  const entries: StoredQuarantineEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await listQuarantine(tableName, { cursor, limit: 100 });
    for (const entry of page.items) entries.push({ ...entry, bodyGzip: await storedBodyGzip(tableName, entry) });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return entries;
}

/** Privacy requests: drop the body (every chunk of it), keep the fact that a delivery came. */
export async function eraseQuarantineBody(tableName: string, id: string): Promise<void> {
  await deleteBlob(tableName, itemKeys.quarantineBody(id));
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
