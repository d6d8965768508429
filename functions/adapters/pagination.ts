// Every list and every page: one query loop over an index partition, and one
// cursor format. A cursor is the key of the last item handed out; only the
// exact shape this list issues is accepted, so a forged or foreign cursor is a
// 400 here and never reaches DynamoDB as an odd ExclusiveStartKey.
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { table, type IndexName } from '../../lib/resources';
import { ValidationError } from '../shared/errors';
import { capacityMeter, documentClient } from './dynamo-client';

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

function keyNames(index: IndexName): { partition: string; sort: string; names: string[] } {
  const definition = table.indexes.find((candidate) => candidate.indexName === index);
  if (!definition) throw new Error(`no index ${index} in lib/resources.ts`);
  return {
    partition: definition.partitionKey.name,
    sort: definition.sortKey.name,
    names: [table.partitionKey.name, table.sortKey.name, definition.partitionKey.name, definition.sortKey.name],
  };
}

function keyOf(item: Item, query: ListQuery): Item {
  return Object.fromEntries(keyNames(query.index).names.map((name) => [name, item[name]]));
}

export function encodeCursor(key: Item | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

const refusedCursor = () => new ValidationError('cursor is not one this list returned');

/** The JSON object a cursor encodes; ValidationError for anything else. */
function cursorObject(cursor: string): Item {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw refusedCursor();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refusedCursor();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refusedCursor();
  return value as Item;
}

/** The start key a cursor of this list stands for; ValidationError for anything else. */
export function decodeCursor(cursor: string | undefined, query: Pick<ListQuery, 'index' | 'partition'>): Item | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const key = cursorObject(cursor);
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
    key[partition] === query.partition;
  if (!fits) throw refusedCursor();
  return key;
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

/** A list kept in several partitions of one index (shards), read as one list in sort-key order. */
export interface MergedListQuery extends Omit<ListQuery, 'partition'> {
  partitions: readonly string[];
  /** Whether a value is a sort key of this list: a cursor's is checked before it reaches DynamoDB. */
  isSortKey: (value: string) => boolean;
}

interface MergedCursor {
  after: string;
  order: 'newest' | 'oldest';
}

const orderOf = (query: Pick<ListQuery, 'newestFirst'>): MergedCursor['order'] => (query.newestFirst ? 'newest' : 'oldest');

/** DynamoDB orders string keys by their UTF-8 bytes, which is not JavaScript's `<` beyond ASCII. */
const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function encodeMergedCursor(cursor: MergedCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/**
 * The sort key a merged list's cursor stands for; ValidationError for anything
 * else, a cursor of the same list in the other order included.
 */
function decodeMergedCursor(cursor: string | undefined, query: Pick<MergedListQuery, 'newestFirst' | 'isSortKey'>): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const { after, order, ...rest } = cursorObject(cursor);
  const fits =
    Object.keys(rest).length === 0 &&
    order === orderOf(query) &&
    typeof after === 'string' &&
    Buffer.byteLength(after, 'utf8') <= MAX_KEY_BYTES &&
    query.isSortKey(after);
  if (!fits) throw refusedCursor();
  return after;
}

/** Reads one partition of a merged list in order, a Query at a time, as the merge asks for more. */
class PartitionReader {
  private readonly buffer: Item[] = [];
  private startKey: Item | undefined;
  private done = false;

  constructor(
    private readonly query: MergedListQuery,
    private readonly partition: string,
    private readonly after: string | undefined,
    private readonly batch: number,
  ) {}

  get head(): Item | undefined {
    return this.buffer[0];
  }

  /** Whether this partition may hold more items than were handed out. */
  get pending(): boolean {
    return this.buffer.length > 0 || !this.done;
  }

  take(): Item | undefined {
    return this.buffer.shift();
  }

  /** Reads until an item is buffered or the partition is exhausted; a filter may thin whole Queries to nothing. */
  async fill(): Promise<void> {
    const { index, filter, newestFirst } = this.query;
    const keys = keyNames(index);
    const projected = projection({ ...this.query, partition: this.partition });
    while (this.buffer.length === 0 && !this.done) {
      const page = await documentClient().send(
        new QueryCommand({
          TableName: this.query.tableName,
          IndexName: index,
          KeyConditionExpression: this.after === undefined ? '#list = :list' : `#list = :list AND #sort ${newestFirst ? '<' : '>'} :after`,
          FilterExpression: filter?.expression,
          ProjectionExpression: projected.expression,
          ExpressionAttributeNames: {
            '#list': keys.partition,
            ...(this.after === undefined ? {} : { '#sort': keys.sort }),
            ...filter?.names,
            ...projected.names,
          },
          ExpressionAttributeValues: {
            ':list': this.partition,
            ...(this.after === undefined ? {} : { ':after': this.after }),
            ...filter?.values,
          },
          ScanIndexForward: !newestFirst,
          Limit: this.batch,
          ExclusiveStartKey: this.startKey,
        }),
      );
      this.buffer.push(...(page.Items ?? []));
      this.startKey = page.LastEvaluatedKey;
      this.done = this.startKey === undefined;
    }
  }
}

/**
 * Up to `limit` items of a sharded list from `cursor` on, in sort-key order
 * across every partition. Sort keys are unique across the partitions, so the
 * cursor is the last sort key handed out: every partition is read from just
 * after it, and the items merged. Nothing is skipped or handed out twice,
 * however the items spread.
 *
 * Each partition is first read a little past its fair share of a page
 * (2 × limit / partitions), and read on only when the merge empties it, so a
 * page reads about twice its items rather than `limit` from every partition.
 * With a filter each Query reads `limit` items, as listPage does.
 */
export async function listMergedPage(query: MergedListQuery, options: { cursor?: string | undefined; limit: number }): Promise<Page<Item>> {
  const after = decodeMergedCursor(options.cursor, query);
  const sortKey = keyNames(query.index).sort;
  const batch = query.filter ? options.limit : Math.min(options.limit, Math.ceil((2 * options.limit) / query.partitions.length) + 1);
  const readers = query.partitions.map((partition) => new PartitionReader(query, partition, after, batch));
  await Promise.all(readers.map((reader) => reader.fill()));
  const direction = query.newestFirst ? -1 : 1;
  const items: Item[] = [];
  while (items.length < options.limit) {
    let next: PartitionReader | undefined;
    for (const reader of readers) {
      const head = reader.head;
      if (head && (!next || direction * compareKeys(String(head[sortKey]), String(next.head![sortKey])) < 0)) next = reader;
    }
    if (!next) break;
    items.push(next.take()!);
    await next.fill();
  }
  const last = items.at(-1);
  const more = readers.some((reader) => reader.pending);
  return {
    items,
    nextCursor: more && last ? encodeMergedCursor({ after: String(last[sortKey]), order: orderOf(query) }) : null,
  };
}

/**
 * Items of one partition under a sort-key prefix, strongly consistent, in key
 * order (or newest first), up to `limit`. A `filter` thins each page, so
 * DynamoDB's own Limit is left off then and the loop stops once it has enough.
 */
export async function itemsUnderPrefix(
  query: {
    tableName: string;
    partition: string;
    prefix: string;
    newestFirst?: boolean | undefined;
    limit?: number | undefined;
    filter?: ListQuery['filter'];
  },
  db: DynamoDBDocumentClient = documentClient(),
): Promise<Item[]> {
  const items: Item[] = [];
  const { filter, limit } = query;
  let startKey: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: query.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: filter?.expression,
        ExpressionAttributeNames: filter?.names,
        ExpressionAttributeValues: { ':pk': query.partition, ':prefix': query.prefix, ...filter?.values },
        ConsistentRead: true,
        ScanIndexForward: !query.newestFirst,
        Limit: limit === undefined || filter ? undefined : limit - items.length,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('read', page.ConsumedCapacity);
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && (limit === undefined || items.length < limit));
  return limit === undefined ? items : items.slice(0, limit);
}
