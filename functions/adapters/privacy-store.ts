// DynamoDB side of privacy requests: reads, deletes and erasing writes only.
// Who and what is erased is decided in functions/app/privacy.ts.
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DataExport, OrderRef, PrivacyPorts, PrivacyStore } from '../app/privacy';
import type { CustomerProfile } from '../domain/customers';
import { deleteBlob } from './blob-store';
import { redactChannel } from './channel-store';
import { DynamoCustomerRepository, identityKeys, orderFromItem } from './customer-store';
import { customersOfShard, ordersOfCustomer } from './customer-queries';
import { documentClient } from './dynamo-client';
import { customerItemPrefixes, customerPartition, indexes, itemKeys, lists, type ItemKey } from './dynamo-keys';
import { itemsUnderPrefix, listAll, listPage, type Item, type Page } from './pagination';
import { quarantinedBodies } from './quarantine-store';

function exportId(channelId: string, requestId: string): string {
  return `exp_${createHash('sha256').update(`${channelId}\n${requestId}`).digest('hex').slice(0, 24)}`;
}

async function deleteItem(tableName: string, key: ItemKey): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: tableName, Key: key }));
}

export class DynamoPrivacyStore implements PrivacyStore {
  constructor(private readonly tableName: string) {}

  ordersOfCustomer(customerId: string) {
    return ordersOfCustomer(this.tableName, customerId);
  }

  async ordersOfChannel(channelId: string): Promise<OrderRef[]> {
    const items = await listAll({ tableName: this.tableName, index: indexes.listByKind, partition: lists.channelOrders(channelId) });
    return items.map(orderFromItem);
  }

  async customersOfChannel(channelId: string): Promise<CustomerProfile[]> {
    const shards = await Promise.all(
      lists.customerShards.map(async (shard) => {
        const found: CustomerProfile[] = [];
        for await (const page of customersOfShard(this.tableName, shard, { channel: channelId })) found.push(...page);
        return found;
      }),
    );
    return shards.flat();
  }

  async eraseOrderPayload(order: OrderRef, now: string): Promise<void> {
    await deleteBlob(this.tableName, itemKeys.orderPayload(order.channelId, order.orderId));
    await documentClient().send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.order(order.channelId, order.orderId),
        UpdateExpression: 'SET redactedAt = :now REMOVE delivery',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now },
      }),
    );
  }

  async forgetIdentities(who: Pick<CustomerProfile, 'channelCustomerIds' | 'email' | 'phone'>): Promise<void> {
    const keys = [
      ...Object.entries(who.channelCustomerIds).flatMap(([channelId, channelCustomerId]) => identityKeys(channelId, { channelCustomerId })),
      ...identityKeys('', { email: who.email, phone: who.phone }),
    ];
    for (const key of keys) await deleteItem(this.tableName, key);
  }

  async deleteExports(of: { customerId: string } | { channelId: string }): Promise<void> {
    const items = await listAll({ tableName: this.tableName, index: indexes.listByKind, partition: lists.exports });
    const matches = (item: Item) =>
      'customerId' in of ? item['customerId'] === of.customerId : item['channelId'] === of.channelId;
    for (const item of items.filter(matches)) await deleteItem(this.tableName, { pk: String(item['pk']), sk: String(item['sk']) });
  }

  async eraseCampaignTraces(customerId: string, now: string): Promise<void> {
    const [sends, complaints] = await Promise.all([
      itemsUnderPrefix({ tableName: this.tableName, partition: customerPartition(customerId), prefix: customerItemPrefixes.campaignSend }),
      itemsUnderPrefix({ tableName: this.tableName, partition: customerPartition(customerId), prefix: customerItemPrefixes.complaint }),
    ]);
    for (const send of sends) {
      if (typeof send['messageId'] !== 'string') continue;
      await documentClient().send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKeys.message(send['messageId']),
          UpdateExpression: 'REMOVE email SET redactedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': now },
        }),
      ).catch((error: unknown) => {
        // A message record that expired (TTL) has nothing left to erase.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    }
    for (const complaint of complaints) {
      await documentClient().send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: String(complaint['pk']), sk: String(complaint['sk']) },
          UpdateExpression: 'REMOVE note SET redactedAt = :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
    }
  }

  async saveExport(draft: Omit<DataExport, 'id'>): Promise<DataExport> {
    const dataExport: DataExport = { id: exportId(draft.channelId, draft.requestId), ...draft };
    await documentClient().send(
      new PutCommand({
        TableName: this.tableName,
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

  redactChannel(channelId: string, now: string): Promise<void> {
    return redactChannel(this.tableName, channelId, now);
  }
}

/** The ports of the privacy use cases, on the table. */
export function privacyPorts(tableName: string): PrivacyPorts {
  return {
    customers: new DynamoCustomerRepository(tableName),
    store: new DynamoPrivacyStore(tableName),
    quarantine: quarantinedBodies(tableName),
  };
}

export type ExportSummary = Pick<DataExport, 'id' | 'channelId' | 'requestId' | 'customerId' | 'createdAt'>;

export async function listExports(tableName: string, cursor: string | undefined): Promise<Page<ExportSummary>> {
  const page = await listPage(
    { tableName, index: indexes.listByKind, partition: lists.exports, newestFirst: true, attributes: ['id', 'channelId', 'requestId', 'customerId', 'createdAt'] },
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

/** Every item of a partition whose sort key starts with `prefix`, strongly consistent. */
