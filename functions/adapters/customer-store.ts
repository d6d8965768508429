// DynamoDB implementation of the CustomerRepository port: identities, orders and
// profiles in the single table. Conditional-write failures become ConflictError
// here, so the use cases never see an SDK error type.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  displayName,
  newProfile,
  type CodeChange,
  type Counters,
  type CustomerProfile,
  type DayChange,
  type PurchaseDay,
} from '../domain/customers';
import type { CustomerFacts, PrivacySubject } from '../domain/model';
import type { OrderRecord } from '../domain/orders';
import type { CodeUse, CustomerRepository, OrderWrite } from '../domain/ports';
import { ConflictError } from '../shared/errors';
import { putBlob } from './blob-store';
import { capacityMeter, documentClient } from './dynamo-client';
import { customerItemPrefixes, customerPartition, itemKeys, lists, type ItemKey } from './dynamo-keys';
import { itemsUnderPrefix, type Item } from './pagination';

export function newCustomerId(): string {
  return `cus_${randomBytes(10).toString('hex')}`;
}

/** Identity keys in the order they decide who a person is. */
export function identityKeys(
  channelId: string,
  who: Pick<CustomerFacts, 'channelCustomerId' | 'email' | 'phone'>,
): ItemKey[] {
  const found: ItemKey[] = [];
  if (who.channelCustomerId) found.push(itemKeys.channelCustomerIdentity(channelId, who.channelCustomerId));
  if (who.email) found.push(itemKeys.emailIdentity(who.email));
  if (who.phone) found.push(itemKeys.phoneIdentity(who.phone));
  return found;
}

/**
 * The identities that may join facts to an existing customer. A phone decides
 * only when there is no email: households, offices and stores' own numbers
 * are shared, and two emails behind one phone are two people.
 */
export function decidingKeys(
  channelId: string,
  who: Pick<CustomerFacts, 'channelCustomerId' | 'email' | 'phone'>,
): ItemKey[] {
  return identityKeys(channelId, who.email ? { ...who, phone: undefined } : who);
}

const profileStorageFields = ['pk', 'sk', 'listPk', 'listSk', 'searchText'] as const;
const orderStorageFields = ['pk', 'sk', 'listPk', 'listSk', 'placedAtUtc', 'delivery', 'redactedAt'] as const;

function without<T>(item: Item, fields: readonly string[]): T {
  const copy: Item = { ...item };
  for (const field of fields) delete copy[field];
  return copy as T;
}

export function profileItem(profile: CustomerProfile): Item {
  const searchText = [displayName(profile), profile.email].filter(Boolean).join(' ').toLowerCase();
  return {
    ...itemKeys.customer(profile.id),
    ...profile,
    listPk: lists.customers(profile.id),
    listSk: `${profile.createdAt}#${profile.id}`,
    ...(searchText ? { searchText } : {}),
  };
}

export function profileFromItem(item: Item): CustomerProfile {
  return without<CustomerProfile>(item, profileStorageFields);
}

export function orderFromItem(item: Item): OrderRecord {
  return without<OrderRecord>(item, orderStorageFields);
}

/** A purchase day as stored: its count and earliest and latest order for readers, and every time so they stay exact. */
function purchaseDayFields(day: string, times: number[]): Item {
  return {
    day,
    orders: times.length,
    firstOrderAt: new Date(times[0]!).toISOString(),
    lastOrderAt: new Date(times[times.length - 1]!).toISOString(),
    times,
  };
}

export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) {
    // Any cancellation (a condition or a concurrent transaction) means: read again.
    return true;
  }
  return false;
}

/** SET every defined field; the order's fields never go from set to unset. */
function setExpression(fields: Item): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .forEach(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      parts.push(`#f${i} = :f${i}`);
    });
  return {
    UpdateExpression: `SET ${parts.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export class DynamoCustomerRepository implements CustomerRepository {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  /** Strongly consistent, in batches of DynamoDB's 100, until nothing is left unprocessed. */
  private async batchGet(keys: ItemKey[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let start = 0; start < keys.length; start += 100) {
      let pending: Item[] | undefined = keys.slice(start, start + 100).map((key) => ({ ...key }));
      while (pending?.length) {
        const result: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        capacityMeter.record('read', result.ConsumedCapacity);
        items.push(...(result.Responses?.[this.tableName] ?? []));
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return items;
  }

  private async owners(keys: ItemKey[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    for (const item of await this.batchGet(keys)) owners.set(String(item['pk']), String(item['customerId']));
    return owners;
  }

  async findCustomer(channelId: string, subject: PrivacySubject): Promise<string | undefined> {
    const keys = identityKeys(channelId, subject);
    const owners = await this.owners(keys);
    return keys.map((key) => owners.get(key.pk)).find((id) => id !== undefined);
  }

  async resolveCustomer(channelId: string, facts: CustomerFacts, now: string): Promise<string | undefined> {
    const keys = identityKeys(channelId, facts);
    if (keys.length === 0) return undefined;
    const deciding = decidingKeys(channelId, facts);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const owners = await this.owners(keys);
      const owner = deciding.map((key) => owners.get(key.pk)).find((id) => id !== undefined);
      if (owner !== undefined) {
        await this.claim(keys.filter((key) => !owners.has(key.pk)), owner);
        return owner;
      }
      const free = keys.filter((key) => !owners.has(key.pk));
      const customerId = newCustomerId();
      try {
        // One transaction creates the profile and claims every identity, so two
        // first orders racing on any shared identity make exactly one customer.
        const result = await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: profileItem(newProfile(customerId, now)),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...free.map((key) => ({
                Put: {
                  TableName: this.tableName,
                  Item: { ...key, customerId, createdAt: now },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
            ],
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        capacityMeter.record('write', result.ConsumedCapacity);
        return customerId;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new ConflictError('could not settle the identity of a customer after 5 attempts');
  }

  /** Points identities nobody holds yet at `customerId`; one already held stays with its holder. */
  private async claim(keys: ItemKey[], customerId: string): Promise<void> {
    const now = new Date().toISOString();
    await Promise.all(
      keys.map(async (key) => {
        try {
          const result = await this.db.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...key, customerId, createdAt: now },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
          capacityMeter.record('write', result.ConsumedCapacity);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  async getOrder(channelId: string, orderId: string): Promise<OrderRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: itemKeys.order(channelId, orderId),
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('read', result.ConsumedCapacity);
    return result.Item ? orderFromItem(result.Item) : undefined;
  }

  async getProfile(customerId: string): Promise<CustomerProfile | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: itemKeys.customer(customerId),
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('read', result.ConsumedCapacity);
    return result.Item ? profileFromItem(result.Item) : undefined;
  }

  async getCounters(customerId: string, keys: { days: string[]; codes: string[] }): Promise<Counters> {
    const counters: Counters = { days: {}, codes: {} };
    const items = await this.batchGet([
      ...keys.days.map((day) => itemKeys.purchaseDay(customerId, day)),
      ...keys.codes.map((code) => itemKeys.discountCode(customerId, code)),
    ]);
    for (const item of items) {
      if (String(item['sk']).startsWith(customerItemPrefixes.purchaseDay)) {
        counters.days[String(item['day'])] = item['times'] as number[];
      } else {
        counters.codes[String(item['code'])] = Number(item['orders']);
      }
    }
    return counters;
  }

  /** Items of the customer's partition under one sort-key prefix, strongly consistent, in key order. */
  private partitionItems(customerId: string, prefix: string, options: { newestFirst?: boolean; limit?: number }): Promise<Item[]> {
    return itemsUnderPrefix({ tableName: this.tableName, partition: customerPartition(customerId), prefix, ...options }, this.db);
  }

  async listPurchaseDays(
    customerId: string,
    options: { newestFirst?: boolean; limit?: number } = {},
  ): Promise<PurchaseDay[]> {
    const items = await this.partitionItems(customerId, customerItemPrefixes.purchaseDay, options);
    return items.map((item) => ({ day: String(item['day']), times: item['times'] as number[] }));
  }

  async listDiscountCodes(customerId: string): Promise<CodeUse[]> {
    const items = await this.partitionItems(customerId, customerItemPrefixes.discountCode, {});
    return items.map((item) => ({ code: String(item['code']), orders: Number(item['orders']) }));
  }

  /**
   * A Put, or a Delete once nothing counts on the item, conditioned on the
   * count it was read with: a writer that moved it since fails the
   * transaction, and the use case reads again.
   */
  private counterWrite(key: ItemKey, readCount: number, next: Item | undefined) {
    const condition =
      readCount === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#orders = :readCount',
            ExpressionAttributeNames: { '#orders': 'orders' },
            ExpressionAttributeValues: { ':readCount': readCount },
          };
    return next
      ? { Put: { TableName: this.tableName, Item: { ...key, ...next }, ...condition } }
      : { Delete: { TableName: this.tableName, Key: key, ...condition } };
  }

  private counterWrites(customerId: string, days: DayChange[], codes: CodeChange[]) {
    return [
      ...days.map(({ day, before, after }) =>
        this.counterWrite(
          itemKeys.purchaseDay(customerId, day),
          before.length,
          after.length > 0 ? purchaseDayFields(day, after) : undefined,
        ),
      ),
      ...codes.map(({ code, before, after }) =>
        this.counterWrite(itemKeys.discountCode(customerId, code), before, after > 0 ? { code, orders: after } : undefined),
      ),
    ];
  }

  private orderUpdate(write: OrderWrite) {
    const { order, previous, delivery } = write;
    const version = (previous?.version ?? 0) + 1;
    const placedAtUtc = order.placeholder ? undefined : new Date(Date.parse(order.placedAt)).toISOString();
    const set = setExpression({
      ...order,
      version,
      // Sparse index keys: a placeholder has no time and a guest order no customer.
      placedAtUtc: order.customerId !== undefined ? placedAtUtc : undefined,
      listPk: lists.channelOrders(order.channelId),
      listSk: order.orderId,
      delivery,
    });
    const condition: { ConditionExpression: string; names: Record<string, string>; values: Item } = previous
      ? {
          ConditionExpression: '#version = :expectedVersion',
          names: { '#version': 'version' },
          values: { ':expectedVersion': previous.version },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)', names: {}, values: {} };
    return {
      TableName: this.tableName,
      Key: itemKeys.order(order.channelId, order.orderId),
      UpdateExpression: set.UpdateExpression,
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: { ...set.ExpressionAttributeNames, ...condition.names },
      ExpressionAttributeValues: { ...set.ExpressionAttributeValues, ...condition.values },
    };
  }

  private profilePut(next: CustomerProfile, expectedRev: number) {
    return {
      TableName: this.tableName,
      Item: profileItem({ ...next, rev: expectedRev + 1 }),
      ConditionExpression: '#rev = :expectedRev',
      ExpressionAttributeNames: { '#rev': 'rev' },
      ExpressionAttributeValues: { ':expectedRev': expectedRev },
    };
  }

  /**
   * The payload lives in its own item, outside the transaction: transactional
   * writes cost double, and a payload is most of an order's bytes. A payload
   * too large for one item is chunked (blob-store). It is written first and
   * only ever replaced by a newer version, so a crash before the transaction
   * leaves a payload whose order the retry then writes.
   */
  private async savePayload(write: OrderWrite): Promise<void> {
    if (!write.raw) return;
    const { channelId, orderId, updatedAt } = write.order;
    const updatedAtMs = Date.parse(updatedAt);
    await putBlob(this.tableName, {
      key: itemKeys.orderPayload(channelId, orderId),
      data: gzipSync(write.raw),
      attributes: { updatedAtMs, deliveryId: write.delivery.deliveryId },
      condition: { expression: 'attribute_not_exists(pk) OR updatedAtMs <= :ms', values: { ':ms': updatedAtMs } },
    });
  }

  async saveOrder(write: OrderWrite): Promise<void> {
    await this.savePayload(write);
    try {
      if (!write.profile) {
        const result = await this.db.send(
          new UpdateCommand({ ...this.orderUpdate(write), ReturnConsumedCapacity: 'TOTAL' }),
        );
        capacityMeter.record('write', result.ConsumedCapacity);
        return;
      }
      // The order, the figures it moves and the items they count are one
      // transaction: never one without the others.
      const { next, expectedRev, days, codes } = write.profile;
      const result = await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: this.orderUpdate(write) },
            { Put: this.profilePut(next, expectedRev) },
            ...this.counterWrites(next.id, days, codes),
          ],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(`order ${write.order.orderId} or its customer changed meanwhile`, { cause: error });
      }
      throw error;
    }
  }

  async saveProfile(next: CustomerProfile, expectedRev: number): Promise<void> {
    try {
      const result = await this.db.send(
        new PutCommand({ ...this.profilePut(next, expectedRev), ReturnConsumedCapacity: 'TOTAL' }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(`customer ${next.id} changed meanwhile`, { cause: error });
      }
      throw error;
    }
  }
}
