// Every list and every page: one query loop over an index partition, and one
// cursor format. A cursor is the key of the last item handed out; only the
// exact shape this list issues is accepted, so a forged or foreign cursor is a
// 400 here and never reaches DynamoDB as an odd ExclusiveStartKey.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { table, type IndexName } from '../../lib/resources';
import { ValidationError } from '../shared/errors';
import { documentClient } from './dynamo-client';

export type Item = Record<string, unknown>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListQuery {
  tableName: string;
  index: IndexName;
  /** The value of the index's partition key: which list. */
  partition: string;
  newestFirst?: boolean | undefined;
  /** Thins each page; the loop reads on until a page is full. */
  filter?: { expression: string; names?: Record<string, string>; values?: Item } | undefined;
  /** Only these attributes (and the keys), to leave large ones such as bodies unread. */
  attributes?: readonly string[] | undefined;
}

function projection(query: ListQuery): { expression?: string; names: Record<string, string> } {
  if (!query.attributes) return { names: {} };
  const wanted = [...new Set([...keyNames(query.index).names, ...query.attributes])];
  const names = Object.fromEntries(wanted.map((name, i) => [`#p${i}`, name]));
  return { expression: Object.keys(names).join(', '), names };
}

/** DynamoDB's limits on key values, in bytes: 2048 for a partition key, 1024 for a sort key. */
const MAX_KEY_BYTES = 1024;

function keyNames(index: IndexName): { partition: string; names: string[] } {
  const definition = table.indexes.find((candidate) => candidate.indexName === index);
  if (!definition) throw new Error(`no index ${index} in lib/resources.ts`);
  return {
    partition: definition.partitionKey.name,
    names: [table.partitionKey.name, table.sortKey.name, definition.partitionKey.name, definition.sortKey.name],
  };
}

function keyOf(item: Item, query: ListQuery): Item {
  return Object.fromEntries(keyNames(query.index).names.map((name) => [name, item[name]]));
}

export function encodeCursor(key: Item | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

/** The start key a cursor of this list stands for; ValidationError for anything else. */
export function decodeCursor(cursor: string | undefined, query: Pick<ListQuery, 'index' | 'partition'>): Item | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const refused = new ValidationError('cursor is not one this list returned');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw refused;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused;
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw refused;
  const { partition, names } = keyNames(query.index);
  const entries = Object.entries(key);
  const fits =
    entries.length === names.length &&
    entries.every(
      ([name, value]) =>
        names.includes(name) &&
        typeof value === 'string' &&
        value !== '' &&
        Buffer.byteLength(value, 'utf8') <= MAX_KEY_BYTES,
    ) &&
    (key as Item)[partition] === query.partition;
  if (!fits) throw refused;
  return key as Item;
}

/**
 * Up to `limit` items from `cursor` on. With a filter, pages are read until
 * `limit` items passed it; the cursor is then the last item handed out, so
 * nothing between two pages is skipped.
 */
export async function listPage(query: ListQuery, options: { cursor?: string | undefined; limit: number }): Promise<Page<Item>> {
  const items: Item[] = [];
  let startKey = decodeCursor(options.cursor, query);
  let leftOnPage = false;
  const projected = projection(query);
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: query.tableName,
        IndexName: query.index,
        KeyConditionExpression: '#list = :list',
        FilterExpression: query.filter?.expression,
        ProjectionExpression: projected.expression,
        ExpressionAttributeNames: { '#list': keyNames(query.index).partition, ...query.filter?.names, ...projected.names },
        ExpressionAttributeValues: { ':list': query.partition, ...query.filter?.values },
        ScanIndexForward: !query.newestFirst,
        Limit: options.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (items.length < options.limit) items.push(item);
      else leftOnPage = true;
    }
    startKey = page.LastEvaluatedKey;
  } while (items.length < options.limit && startKey);
  const last = items.at(-1);
  const more = leftOnPage || startKey !== undefined;
  return { items, nextCursor: more && last ? encodeCursor(keyOf(last, query)) : null };
}

/** Every item of the list, page after page. */
export async function listAll(query: ListQuery): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPage(query, { cursor, limit: 500 });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}
