// Privacy requests (Shopify customers/redact, customers/data_request,
// shop/redact): erase a person or a whole channel everywhere huitou keeps
// them, and build the export staff hand back to the person.
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { redactedProfile, type CustomerProfile } from '../domain/customers';
import type { PrivacySubject } from '../domain/model';
import type { OrderRecord } from '../domain/orders';
import { ConflictError } from '../shared/errors';
import { redactChannel } from './channel-store';
import { DynamoCustomerRepository, identityKeys, orderFromItem, profileFromItem } from './customer-store';
import { ordersOfCustomer } from './customer-queries';
import { documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';
import { listPage, type Page } from './pagination';
import { gunzipBase64 } from './ingest-queue';
import { allQuarantine, eraseQuarantineBody } from './quarantine-store';

type Item = Record<string, unknown>;

async function queryAll(input: {
  tableName: string;
  indexName: string;
  keyCondition: string;
  values: Item;
  filter?: string;
  names?: Record<string, string>;
}): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: input.tableName,
        IndexName: input.indexName,
        KeyConditionExpression: input.keyCondition,
        FilterExpression: input.filter,
        ExpressionAttributeNames: input.names,
        ExpressionAttributeValues: input.values,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

async function eraseOrderPayload(tableName: string, order: Pick<OrderRecord, 'channelId' | 'orderId'>): Promise<void> {
  await deleteItem(tableName, itemKeys.orderPayload(order.channelId, order.orderId));
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName,
      Key: itemKeys.order(order.channelId, order.orderId),
      UpdateExpression: 'SET redactedAt = :now REMOVE delivery',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': new Date().toISOString() },
    }),
  );
}

async function deleteItem(tableName: string, key: { pk: string; sk: string }): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: tableName, Key: key }));
}

/** Identity items that point at this profile; they hold hashes, but they link the person. */
function profileIdentityKeys(profile: CustomerProfile) {
  return [
    ...Object.entries(profile.channelCustomerIds).flatMap(([channelId, channelCustomerId]) =>
      identityKeys(channelId, { channelCustomerId }),
    ),
    ...identityKeys('', { email: profile.email, phone: profile.phone }),
  ];
}

async function eraseQuarantineMentioning(tableName: string, needles: string[], channelId?: string): Promise<number> {
  const wanted = needles.filter((needle) => needle.length > 0);
  let erased = 0;
  for (const entry of await allQuarantine(tableName)) {
    if (!entry.bodyGzip) continue;
    const sameChannel = channelId !== undefined && entry.channelId === channelId;
    const body = sameChannel || wanted.length === 0 ? '' : gunzipBase64(entry.bodyGzip).toString('utf8').toLowerCase();
    if (sameChannel || wanted.some((needle) => body.includes(needle.toLowerCase()))) {
      await eraseQuarantineBody(tableName, entry.id);
      erased += 1;
    }
  }
  return erased;
}

async function deleteExportsOf(tableName: string, match: (item: Item) => boolean): Promise<void> {
  const items = await queryAll({
    tableName,
    indexName: indexes.listByKind,
    keyCondition: 'listPk = :list',
    values: { ':list': lists.exports },
  });
  for (const item of items.filter(match)) await deleteItem(tableName, { pk: String(item['pk']), sk: String(item['sk']) });
}

export interface RedactionReport {
  customerId: string | undefined;
  ordersErased: number;
  quarantineErased: number;
}

/** customers/redact: the person's PII goes everywhere; their orders keep anonymous amounts. */
export async function redactCustomer(
  tableName: string,
  channelId: string,
  subject: PrivacySubject,
): Promise<RedactionReport> {
  const repo = new DynamoCustomerRepository(tableName);
  const customerId = await repo.findCustomer(channelId, subject);
  const needles = [subject.email, subject.phone, subject.channelCustomerId].filter((v): v is string => !!v);
  let ordersErased = 0;
  if (customerId !== undefined) {
    const profile = await repo.getProfile(customerId);
    if (profile) {
      needles.push(...[profile.email, profile.phone].filter((v): v is string => !!v));
      for (const order of await ordersOfCustomer(tableName, customerId)) {
        await eraseOrderPayload(tableName, order);
        ordersErased += 1;
      }
      for (const key of profileIdentityKeys(profile)) await deleteItem(tableName, key);
      await saveRedacted(repo, profile);
      await deleteExportsOf(tableName, (item) => item['customerId'] === customerId);
    }
  }
  // Orders Shopify names may belong to a guest checkout huitou never tied to a customer.
  for (const orderId of subject.orderIds) {
    const order = await repo.getOrder(channelId, orderId);
    if (order && order.customerId !== customerId) {
      await eraseOrderPayload(tableName, order);
      ordersErased += 1;
    }
  }
  const quarantineErased = await eraseQuarantineMentioning(tableName, needles);
  return { customerId, ordersErased, quarantineErased };
}

async function saveRedacted(repo: DynamoCustomerRepository, profile: CustomerProfile): Promise<void> {
  let current: CustomerProfile | undefined = profile;
  for (let attempt = 0; attempt < 5 && current; attempt += 1) {
    try {
      await repo.saveProfile(redactedProfile(current, new Date().toISOString()), current.rev);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      current = await repo.getProfile(profile.id);
    }
  }
  if (current) throw new ConflictError(`could not redact customer ${profile.id}: it kept changing`);
}

export interface DataExport {
  id: string;
  channelId: string;
  requestId: string;
  customerId: string | null;
  createdAt: string;
  customer: CustomerProfile | null;
  orders: OrderRecord[];
}

export function exportId(channelId: string, requestId: string): string {
  return `exp_${createHash('sha256').update(`${channelId}\n${requestId}`).digest('hex').slice(0, 24)}`;
}

/** customers/data_request: everything huitou holds on the person, for staff to send on. */
export async function exportCustomerData(
  tableName: string,
  channelId: string,
  requestId: string,
  subject: PrivacySubject,
): Promise<DataExport> {
  const repo = new DynamoCustomerRepository(tableName);
  const customerId = await repo.findCustomer(channelId, subject);
  const customer = customerId ? ((await repo.getProfile(customerId)) ?? null) : null;
  const orders = customerId ? await ordersOfCustomer(tableName, customerId) : [];
  const dataExport: DataExport = {
    id: exportId(channelId, requestId),
    channelId,
    requestId,
    customerId: customerId ?? null,
    createdAt: new Date().toISOString(),
    customer,
    orders,
  };
  await documentClient().send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...itemKeys.dataExport(dataExport.id),
        ...dataExport,
        listPk: lists.exports,
        listSk: `${dataExport.createdAt}#${dataExport.id}`,
      },
    }),
  );
  return dataExport;
}

export type ExportSummary = Pick<DataExport, 'id' | 'channelId' | 'requestId' | 'customerId' | 'createdAt'>;

export async function listExports(tableName: string, cursor: string | undefined): Promise<Page<ExportSummary>> {
  const page = await listPage(
    { tableName, index: indexes.listByKind, partition: lists.exports, newestFirst: true },
    { cursor, limit: 50 },
  );
  const items = page.items.map(({ id, channelId, requestId, customerId, createdAt }) => ({ id, channelId, requestId, customerId, createdAt }) as ExportSummary);
  return { items, nextCursor: page.nextCursor };
}

export async function getExport(tableName: string, id: string): Promise<DataExport | undefined> {
  const result = await documentClient().send(new GetCommand({ TableName: tableName, Key: itemKeys.dataExport(id) }));
  if (!result.Item) return undefined;
  const { pk: _pk, sk: _sk, listPk: _listPk, listSk: _listSk, ...dataExport } = result.Item;
  return dataExport as DataExport;
}

/**
 * shop/redact: the channel's orders lose their payloads, people known only
 * through this channel are redacted, others lose their link to it, and the
 * channel keeps no secret or token.
 */
export async function redactShop(tableName: string, channelId: string): Promise<{ orders: number; customers: number }> {
  const repo = new DynamoCustomerRepository(tableName);
  const orderItems = await queryAll({
    tableName,
    indexName: indexes.listByKind,
    keyCondition: 'listPk = :list',
    values: { ':list': lists.channelOrders(channelId) },
  });
  for (const item of orderItems) await eraseOrderPayload(tableName, orderFromItem(item));

  const customerItems = await queryAll({
    tableName,
    indexName: indexes.listByKind,
    keyCondition: 'listPk = :list',
    filter: 'contains(channels, :channel)',
    values: { ':list': lists.customers, ':channel': channelId },
  });
  for (const item of customerItems) {
    const profile = profileFromItem(item);
    if (profile.channels.every((id) => id === channelId)) {
      for (const key of profileIdentityKeys(profile)) await deleteItem(tableName, key);
      await saveRedacted(repo, profile);
      continue;
    }
    const channelCustomerId = profile.channelCustomerIds[channelId];
    if (channelCustomerId !== undefined) {
      for (const key of identityKeys(channelId, { channelCustomerId })) await deleteItem(tableName, key);
    }
    const { [channelId]: _dropped, ...otherIds } = profile.channelCustomerIds;
    await repo.saveProfile(
      { ...profile, channelCustomerIds: otherIds, channels: profile.channels.filter((id) => id !== channelId) },
      profile.rev,
    );
  }
  await eraseQuarantineMentioning(tableName, [], channelId);
  await deleteExportsOf(tableName, (item) => item['channelId'] === channelId);
  await redactChannel(tableName, channelId);
  return { orders: orderItems.length, customers: customerItems.length };
}
