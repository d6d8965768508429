// Send records in the customer's partition, and the writes that move with a
// send's state: the campaign counters, the contact log (frequency cap), the
// coupon and the message. Each state change is one transaction conditioned on
// the state it leaves, so a crash never splits a step and a retry never counts
// one twice.
import { GetCommand, PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AttributionPorts, IssuedCouponRecord } from '../app/attribute-order';
import type { SendEffects, SendRecord, SendState, SendStore, SendTask } from '../app/send-campaign';
import type { StatDeltas } from '../app/campaign-ports';
import { ConflictError } from '../shared/errors';
import { statsUpdate } from './campaign-stats';
import { capacityMeter, documentClient } from './dynamo-client';
import { isConditionFailure } from './customer-store';
import { customerItemPrefixes, customerPartition, itemKeys } from './dynamo-keys';
import { itemsUnderPrefix, type Item } from './pagination';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A message's record outlives its events: SES reports bounces and complaints for weeks. */
const messageTtlSeconds = 400 * 86_400;
/** A coupon item is kept a year past its expiry, so a late order still finds it. */
const couponGraceSeconds = 365 * 86_400;

function recordOf(item: Item): SendRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as SendRecord;
}

/** SET every defined field, on the condition that the record is still in state `from`. */
function stateUpdate(key: { pk: string; sk: string }, fields: Record<string, unknown>, from: SendState) {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  return {
    Key: key,
    UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
    ConditionExpression: '#state = :from',
    ExpressionAttributeNames: { '#state': 'state', ...Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])) },
    ExpressionAttributeValues: { ':from': from, ...Object.fromEntries(entries.map(([, value], i) => [`:f${i}`, value])) },
  };
}

export class DynamoSendStore implements SendStore {
  constructor(private readonly tableName: string) {}

  async claim(task: SendTask, now: string): Promise<SendRecord> {
    const key = itemKeys.campaignSend(task.customerId, task.campaignId, task.occurrence);
    const fresh: SendRecord = { ...task, state: 'claimed', createdAt: now, updatedAt: now };
    try {
      const result = await documentClient().send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...fresh },
          // New, or a drop that a new trigger may look at again (a customer who subscribes later).
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :dropped AND triggerId <> :trigger)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':dropped': 'dropped', ':trigger': task.triggerId },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
      return fresh;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await documentClient().send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!existing.Item) throw new ConflictError('a send record vanished while it was claimed');
    return recordOf(existing.Item);
  }

  async advance(record: SendRecord, from: SendState, next: Partial<SendRecord> & { state: SendState }, effects: SendEffects = {}): Promise<SendRecord> {
    const key = itemKeys.campaignSend(record.customerId, record.campaignId, record.occurrence);
    const items: TransactItem[] = [{ Update: { TableName: this.tableName, ...stateUpdate(key, next, from) } }];
    items.push(...addToStats(this.tableName, record.campaignId, effects.stats ?? {}));
    if (effects.contact) {
      const { sentAt, rev } = effects.contact;
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { ...itemKeys.contactLog(record.customerId), sentAt, rev: rev + 1 },
          // The log the cap was checked against: a concurrent send in between makes this one decide again.
          ConditionExpression: rev === 0 ? 'attribute_not_exists(pk) OR rev = :rev' : 'rev = :rev',
          ExpressionAttributeValues: { ':rev': rev },
        },
      });
    }
    if (effects.coupon) {
      const { coupon } = effects;
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...itemKeys.coupon(coupon.code),
            code: coupon.code,
            channelId: coupon.channelId,
            campaignId: coupon.campaignId,
            customerId: coupon.customerId,
            issuedAt: coupon.issuedAt,
            validUntil: coupon.expiresAt,
            // `expiresAt` is the table's TTL attribute: epoch seconds.
            expiresAt: Math.floor(Date.parse(coupon.expiresAt) / 1000) + couponGraceSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    if (effects.message) {
      const { message } = effects;
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...itemKeys.message(message.messageId),
            messageId: message.messageId,
            campaignId: record.campaignId,
            customerId: record.customerId,
            email: message.email,
            sentAt: message.sentAt,
            status: 'sent',
            events: [],
            expiresAt: Math.floor(Date.parse(message.sentAt) / 1000) + messageTtlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    if (!(await conditionalTransaction(items))) {
      throw new ConflictError(`the send moved on from ${from}, or the customer was mailed meanwhile; the retry decides again`);
    }
    return { ...record, ...next };
  }
}

/** A customer's sends of one campaign, every occurrence (at most a few). */
export async function sendsOfCampaign(tableName: string, customerId: string, campaignId: string): Promise<SendRecord[]> {
  const prefix = `${customerItemPrefixes.campaignSend}${campaignId}#`;
  const items = await itemsUnderPrefix({ tableName, partition: customerPartition(customerId), prefix });
  return items.map(recordOf);
}

/** A customer's sends of every campaign: attribution looks for the ones in its window. */
export async function sendsOfCustomer(tableName: string, customerId: string): Promise<SendRecord[]> {
  const items = await itemsUnderPrefix({ tableName, partition: customerPartition(customerId), prefix: customerItemPrefixes.campaignSend });
  return items.map(recordOf);
}

/** The customer's contact log: marketing mails of the last 7 days, and its revision. */
export async function contactLogOf(tableName: string, customerId: string): Promise<{ sentAt: string[]; rev: number }> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.contactLog(customerId), ConsistentRead: true }),
  );
  return { sentAt: (result.Item?.sentAt as string[] | undefined) ?? [], rev: Number(result.Item?.rev ?? 0) };
}

async function conditionalTransaction(items: TransactItem[]): Promise<boolean> {
  try {
    const result = await documentClient().send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }));
    capacityMeter.record('write', result.ConsumedCapacity);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The campaign's counters as one item of a transaction, so they move with what they count. */
function addToStats(tableName: string, campaignId: string, deltas: StatDeltas): TransactItem[] {
  const update = statsUpdate(tableName, campaignId, deltas);
  return update ? [{ Update: update }] : [];
}

/** Attribution's ports: coupon redemptions and conversions, each with its counters in the same transaction. */
export function attributionPorts(tableName: string): AttributionPorts {
  return {
    coupons: {
      get: async (code) => {
        const result = await documentClient().send(new GetCommand({ TableName: tableName, Key: itemKeys.coupon(code), ConsistentRead: true }));
        return result.Item as IssuedCouponRecord | undefined;
      },
      redeem: (coupon, order, at) =>
        conditionalTransaction([
          {
            Update: {
              TableName: tableName,
              Key: itemKeys.coupon(coupon.code),
              UpdateExpression: 'SET redeemedAt = :at, redeemedBy = :order',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(redeemedAt)',
              ExpressionAttributeValues: { ':at': at, ':order': { channelId: order.channelId, orderId: order.orderId } },
            },
          },
          ...addToStats(tableName, coupon.campaignId, { redeemed: 1, revenueMinor: order.netMinor }),
        ]),
    },
    sends: { ofCustomer: (customerId) => sendsOfCustomer(tableName, customerId) },
    conversions: {
      exists: async (campaignId, customerId) => {
        const result = await documentClient().send(
          new GetCommand({ TableName: tableName, Key: itemKeys.campaignConversion(campaignId, customerId), ConsistentRead: true }),
        );
        return result.Item !== undefined;
      },
      record: (campaignId, customerId, group, orderId, at) =>
        conditionalTransaction([
          {
            Put: {
              TableName: tableName,
              Item: { ...itemKeys.campaignConversion(campaignId, customerId), group, orderId, at },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...addToStats(tableName, campaignId, { [group === 'treated' ? 'convertedTreated' : 'convertedHoldout']: 1 }),
        ]),
    },
    now: () => new Date(),
  };
}
