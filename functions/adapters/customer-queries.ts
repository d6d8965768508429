// Read side of the admin API: customer search and a customer's orders.
import type { CustomerProfile } from '../domain/customers';
import { isId } from '../domain/ids';
import { normalizeEmail } from '../domain/normalize/identity';
import type { OrderRecord } from '../domain/orders';
import { ValidationError } from '../shared/errors';
import { DynamoCustomerRepository, orderFromItem, profileFromItem } from './customer-store';
import { indexes, lists } from './dynamo-keys';
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

/** Each with only the values it uses: DynamoDB refuses a query that names one it does not use. */
const stageFilters: Record<string, { expression: string; values: Record<string, number> }> = {
  prospect: { expression: '#figures.#orders = :zero', values: { ':zero': 0 } },
  first_time: { expression: '#figures.#orders = :one', values: { ':one': 1 } },
  repeat: { expression: '#figures.#orders > :one', values: { ':one': 1 } },
};

export async function searchCustomers(tableName: string, search: CustomerSearch): Promise<Page<CustomerProfile>> {
  if (search.email !== undefined) {
    const repo = new DynamoCustomerRepository(tableName);
    const email = normalizeEmail(search.email);
    const id = email ? await repo.findCustomer('', { email, orderIds: [] }) : undefined;
    const profile = id ? await repo.getProfile(id) : undefined;
    return { items: profile ? [profile] : [], nextCursor: null };
  }
  if (search.sort !== undefined && !['newest', 'oldest'].includes(search.sort)) {
    throw new ValidationError(`sort must be newest or oldest (scores-based sorts arrive with scoring)`);
  }
  const filters: string[] = [];
  const names: Record<string, string> = {};
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
  if (search.stage) {
    const filter = stageFilters[search.stage];
    if (!filter) throw new ValidationError(`stage must be one of ${Object.keys(stageFilters).join(', ')}`);
    filters.push(filter.expression);
    Object.assign(names, { '#figures': 'figures', '#orders': 'orders' });
    Object.assign(values, filter.values);
  }
  if (search.segment) {
    filters.push('#segment = :segment');
    names['#segment'] = 'segment';
    values[':segment'] = search.segment;
  }
  const page = await listMergedPage(
    {
      tableName,
      index: indexes.listByKind,
      partitions: lists.customerShards,
      isSortKey: isCustomerListKey,
      newestFirst: search.sort !== 'oldest',
      filter: filters.length ? { expression: filters.join(' AND '), names, values } : undefined,
    },
    { cursor: search.cursor, limit: search.limit },
  );
  return { items: page.items.map(profileFromItem), nextCursor: page.nextCursor };
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
