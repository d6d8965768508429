// Read side of the admin API: customer search and a customer's orders.
import type { CustomerProfile } from '../domain/customers';
import { isId } from '../domain/ids';
import { normalizeEmail } from '../domain/normalize/identity';
import type { OrderRecord } from '../domain/orders';
import { ValidationError } from '../shared/errors';
import { DynamoCustomerRepository, orderFromItem, profileFromItem } from './customer-store';
import { segments } from '../domain/scoring/rfm';
import { stages } from '../domain/scoring/lifecycle';
import type { StoredScore } from '../app/rescore';
import { indexes, lists, scoreLists } from './dynamo-keys';
import { scoresOf } from './score-store';
import { listAll, listMergedPage, listPage, type Page } from './pagination';

export interface CustomerSearch {
  email?: string | undefined;
  q?: string | undefined;
  channel?: string | undefined;
  stage?: string | undefined;
  segment?: string | undefined;
  sort?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A profile with its scores item, absent until the customer is first scored. */
export interface ScoredProfile {
  profile: CustomerProfile;
  score: StoredScore | undefined;
}

async function withScores(tableName: string, profiles: CustomerProfile[]): Promise<ScoredProfile[]> {
  const scores = await scoresOf(tableName, profiles.map((profile) => profile.id));
  return profiles.map((profile) => ({ profile, score: scores.get(profile.id) }));
}

const oneOf = (name: string, value: string, allowed: readonly string[]): void => {
  if (!allowed.includes(value)) throw new ValidationError(`${name} must be one of ${allowed.join(', ')}`);
};

/**
 * Customers of one segment or stage, highest predicted CLV first: a Query of
 * the byScore index's shards, merged. Both together read the segment's shards
 * and keep the stage.
 */
async function searchByScore(tableName: string, search: CustomerSearch): Promise<Page<ScoredProfile>> {
  if (search.q !== undefined || search.channel !== undefined) {
    throw new ValidationError('segment and stage filters cannot be combined with q or channel');
  }
  if (search.sort !== undefined && search.sort !== 'clv') {
    throw new ValidationError('with segment or stage, customers come by clv (sort=clv)');
  }
  const partitions = search.segment ? scoreLists.segmentShards(search.segment) : scoreLists.stageShards(search.stage!);
  const page = await listMergedPage(
    {
      tableName,
      index: indexes.byScore,
      partitions,
      isSortKey: isScoreListKey,
      newestFirst: true,
      filter: search.segment && search.stage ? { expression: '#stage = :stage', names: { '#stage': 'stage' }, values: { ':stage': search.stage } } : undefined,
    },
    { cursor: search.cursor, limit: search.limit },
  );
  const repo = new DynamoCustomerRepository(tableName);
  const ids = page.items.map((item) => String(item.customerId));
  const profiles = (await Promise.all(ids.map((id) => repo.getProfile(id)))).filter((p): p is CustomerProfile => p !== undefined);
  return { items: await withScores(tableName, profiles), nextCursor: page.nextCursor };
}

/** A byScore sort key: padded CLV minor units, then a customer id (dynamo-keys.ts scoreLists.sortKey). */
function isScoreListKey(value: string): boolean {
  const at = value.indexOf('#');
  return /^\d{16}$/.test(value.slice(0, at)) && isId('customer', value.slice(at + 1));
}

export async function searchCustomers(tableName: string, search: CustomerSearch): Promise<Page<ScoredProfile>> {
  if (search.email !== undefined) {
    const repo = new DynamoCustomerRepository(tableName);
    const email = normalizeEmail(search.email);
    const id = email ? await repo.findCustomer('', { email, orderIds: [] }) : undefined;
    const profile = id ? await repo.getProfile(id) : undefined;
    return { items: await withScores(tableName, profile ? [profile] : []), nextCursor: null };
  }
  if (search.segment !== undefined) oneOf('segment', search.segment, segments);
  if (search.stage !== undefined) oneOf('stage', search.stage, stages);
  if (search.segment !== undefined || search.stage !== undefined) return searchByScore(tableName, search);
  if (search.sort !== undefined && !['newest', 'oldest'].includes(search.sort)) {
    throw new ValidationError('sort must be newest or oldest; sort=clv needs a segment or a stage');
  }
  const filters: string[] = [];
  const values: Record<string, unknown> = {};
  const q = search.q?.trim().toLowerCase();
  if (q) {
    filters.push('contains(searchText, :q)');
    values[':q'] = q;
  }
  if (search.channel) {
    filters.push('contains(channels, :channel)');
    values[':channel'] = search.channel;
  }
  const page = await listMergedPage(
    {
      tableName,
      index: indexes.listByKind,
      partitions: lists.customerShards,
      isSortKey: isCustomerListKey,
      newestFirst: search.sort !== 'oldest',
      filter: filters.length ? { expression: filters.join(' AND '), values } : undefined,
    },
    { cursor: search.cursor, limit: search.limit },
  );
  return { items: await withScores(tableName, page.items.map(profileFromItem)), nextCursor: page.nextCursor };
}

/** A profile's list sort key, `<createdAt>#<customer id>` (customer-store.ts profileItem). */
function isCustomerListKey(value: string): boolean {
  const at = value.lastIndexOf('#');
  const createdAt = value.slice(0, at);
  return at > 0 && /^[0-9TZ:.+-]{1,40}$/.test(createdAt) && !Number.isNaN(Date.parse(createdAt)) && isId('customer', value.slice(at + 1));
}

function assertShard(shard: string): void {
  if (!lists.customerShards.includes(shard)) throw new Error(`${shard} is not a shard of the customer list`);
}

/**
 * One page of one shard of the customer list, oldest first. A full pass (the
 * rescore) runs one segment per shard of `lists.customerShards`; a segment
 * that runs out of time hands on its cursor.
 */
export async function listCustomerShard(
  tableName: string,
  shard: string,
  options: { cursor?: string | undefined; limit: number; channel?: string | undefined },
): Promise<Page<CustomerProfile>> {
  assertShard(shard);
  const page = await listPage(
    {
      tableName,
      index: indexes.listByKind,
      partition: shard,
      filter: options.channel ? { expression: 'contains(channels, :channel)', values: { ':channel': options.channel } } : undefined,
    },
    { cursor: options.cursor, limit: options.limit },
  );
  return { items: page.items.map(profileFromItem), nextCursor: page.nextCursor };
}

/** Every customer of one shard, a page at a time; with `channel`, only that channel's. */
export async function* customersOfShard(
  tableName: string,
  shard: string,
  options: { channel?: string | undefined; pageSize?: number } = {},
): AsyncGenerator<CustomerProfile[]> {
  let cursor: string | undefined;
  do {
    const page = await listCustomerShard(tableName, shard, { cursor, limit: options.pageSize ?? 500, channel: options.channel });
    if (page.items.length > 0) yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** A customer's orders, newest first; all of them unless `limit` says otherwise. */
export async function ordersOfCustomer(
  tableName: string,
  customerId: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<OrderRecord[]> {
  const query = { tableName, index: indexes.ordersByCustomer, partition: customerId, newestFirst: true };
  const items = Number.isFinite(limit) ? (await listPage(query, { limit })).items : await listAll(query);
  return items.map(orderFromItem);
}
