// Read side of the admin API: customer search and a customer's orders.
import type { CustomerProfile } from '../domain/customers';
import { normalizeEmail } from '../domain/normalize/identity';
import type { OrderRecord } from '../domain/orders';
import { ValidationError } from '../shared/errors';
import { DynamoCustomerRepository, orderFromItem, profileFromItem } from './customer-store';
import { indexes, lists } from './dynamo-keys';
import { listAll, listPage, type Page } from './pagination';

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

const stageFilters: Record<string, string> = {
  prospect: '#figures.#orders = :zero',
  first_time: '#figures.#orders = :one',
  repeat: '#figures.#orders > :one',
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
    filters.push(filter);
    Object.assign(names, { '#figures': 'figures', '#orders': 'orders' });
    Object.assign(values, { ':zero': 0, ':one': 1 });
  }
  if (search.segment) {
    filters.push('#segment = :segment');
    names['#segment'] = 'segment';
    values[':segment'] = search.segment;
  }
  const page = await listPage(
    {
      tableName,
      index: indexes.listByKind,
      partition: lists.customers,
      newestFirst: search.sort !== 'oldest',
      filter: filters.length ? { expression: filters.join(' AND '), names, values } : undefined,
    },
    { cursor: search.cursor, limit: search.limit },
  );
  return { items: page.items.map(profileFromItem), nextCursor: page.nextCursor };
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
