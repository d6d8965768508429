// Quarantine: signed deliveries that could not be read or did not fit the
// schema. Kept whole, listed for staff, and replayable after a fix. The listed
// entry holds what staff scan; the body, gzipped, is a blob beside it (chunked
// when large), so neither the entry nor the list index ever nears 400 KB.
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QuarantinedBodies } from '../app/privacy';
import type { QuarantineEntry, StoredQuarantineEntry } from '../domain/quarantine';
import { deleteBlob, getBlob, putBlob } from './blob-store';
import { documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';
import { listAll, listPage, type Page } from './pagination';

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

function fromItem(item: Record<string, unknown>): StoredQuarantineEntry {
  const { pk: _pk, sk: _sk, listPk: _listPk, listSk: _listSk, ...entry } = item;
  return entry as unknown as StoredQuarantineEntry;
}

export function entryView(entry: StoredQuarantineEntry): QuarantineEntry {
  const { bodyGzip: _body, identityDigests: _digests, ...view } = entry;
  return view;
}

/** Keeps the entry and its raw body: the body first, so a listed entry always has one. */
export async function putQuarantine(
  tableName: string,
  entry: QuarantineEntry,
  body: Uint8Array,
): Promise<void> {
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

export async function getQuarantine(tableName: string, id: string): Promise<StoredQuarantineEntry | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.quarantine(id), ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  const entry = fromItem(result.Item);
  return { ...entry, bodyGzip: await storedBodyGzip(tableName, entry) };
}

/** The body as received; entries written before bodies became blobs kept it in the entry. */
async function storedBodyGzip(tableName: string, entry: StoredQuarantineEntry): Promise<string | undefined> {
  const blob = await getBlob(tableName, itemKeys.quarantineBody(entry.id));
  return blob ? blob.data.toString('base64') : entry.bodyGzip;
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
  return entry?.bodyGzip ? gunzipSync(Buffer.from(entry.bodyGzip, 'base64')) : undefined;
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
