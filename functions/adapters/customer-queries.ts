// Read side of the admin API: customer search and a customer's orders.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerProfile } from '../domain/customers';
import { normalizeEmail } from '../domain/normalize/identity';
import type { OrderRecord } from '../domain/orders';
import { ValidationError } from '../shared/errors';
import { DynamoCustomerRepository, orderFromItem, profileFromItem } from './customer-store';
import { documentClient } from './dynamo-client';
import { indexes, lists } from './dynamo-keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';

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
  const values: Record<string, unknown> = { ':list': lists.customers };
  if (search.q) {
    filters.push('contains(searchText, :q)');
    values[':q'] = search.q.trim().toLowerCase();
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

  // A filter thins each page, so read on until the page is full; the cursor is
  // the last item handed out, so nothing between pages is skipped.
  const items: Record<string, unknown>[] = [];
  let startKey = decodeCursor(search.cursor);
  let exhausted = false;
  let leftOnPage = false;
  while (items.length < search.limit && !exhausted) {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexes.listByKind,
        KeyConditionExpression: 'listPk = :list',
        FilterExpression: filters.length ? filters.join(' AND ') : undefined,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
        ScanIndexForward: search.sort === 'oldest',
        Limit: search.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (items.length < search.limit) items.push(item);
      else leftOnPage = true;
    }
    startKey = page.LastEvaluatedKey;
    exhausted = startKey === undefined;
  }
  const last = items.at(-1);
  const nextCursor = (leftOnPage || !exhausted) && last
    ? encodeCursor({ pk: last['pk'], sk: last['sk'], listPk: last['listPk'], listSk: last['listSk'] })
    : null;
  return { items: items.map(profileFromItem), nextCursor };
}

/** A customer's orders, newest first; all of them unless `limit` says otherwise. */
export async function ordersOfCustomer(
  tableName: string,
  customerId: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<OrderRecord[]> {
  const orders: OrderRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexes.ordersByCustomer,
        KeyConditionExpression: 'customerId = :customer',
        ExpressionAttributeValues: { ':customer': customerId },
        ScanIndexForward: false,
        Limit: Number.isFinite(limit) ? limit - orders.length : undefined,
        ExclusiveStartKey: startKey,
      }),
    );
    orders.push(...(page.Items ?? []).map(orderFromItem));
    startKey = page.LastEvaluatedKey;
  } while (startKey && orders.length < limit);
  return orders;
}
