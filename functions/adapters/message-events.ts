// Message records as SES feedback reads and moves them (the sender writes
// them: itemKeys.message(sesMessageId), the MessageRecord shape). Besides the
// record's own fields, `eventKeys` lists the event keys recorded, so a
// condition can refuse a repeat.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageRecord } from '../app/campaign-ports';
import type { MessageEventStore } from '../app/ses-feedback';
import { statsUpdate } from './campaign-stats';
import { capacityMeter, documentClient } from './dynamo-client';
import { itemKeys } from './dynamo-keys';

export class DynamoMessageEventStore implements MessageEventStore {
  constructor(private readonly tableName: string) {}

  async get(messageId: string): Promise<MessageRecord | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.tableName, Key: itemKeys.message(messageId), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
    );
    capacityMeter.record('read', result.ConsumedCapacity);
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, eventKeys: _keys, ...record } = result.Item;
    return { ...(record as MessageRecord), events: (record['events'] as MessageRecord['events'] | undefined) ?? [] };
  }

  async recordEvent(input: Parameters<MessageEventStore['recordEvent']>[0]): Promise<'recorded' | 'conflict'> {
    const { record, key, at, status, deltas } = input;
    const messageUpdate = {
      TableName: this.tableName,
      Key: itemKeys.message(record.messageId),
      UpdateExpression:
        'SET #status = :status, #events = list_append(if_not_exists(#events, :none), :event), ' +
        '#keys = list_append(if_not_exists(#keys, :none), :key)',
      // The status is still the one the new status was worked out from, and the key is new.
      ConditionExpression: 'attribute_exists(pk) AND #status = :read AND (attribute_not_exists(#keys) OR NOT contains(#keys, :keyValue))',
      ExpressionAttributeNames: { '#status': 'status', '#events': 'events', '#keys': 'eventKeys' },
      ExpressionAttributeValues: {
        ':status': status,
        ':read': record.status,
        ':none': [],
        ':event': [{ type: key, at }],
        ':key': [key],
        ':keyValue': key,
      },
    };
    const counters = statsUpdate(this.tableName, record.campaignId, deltas);
    try {
      if (counters) {
        const result = await documentClient().send(
          new TransactWriteCommand({
            TransactItems: [{ Update: messageUpdate }, { Update: counters }],
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        capacityMeter.record('write', result.ConsumedCapacity);
      } else {
        const result = await documentClient().send(new UpdateCommand({ ...messageUpdate, ReturnConsumedCapacity: 'TOTAL' }));
        capacityMeter.record('write', result.ConsumedCapacity);
      }
      return 'recorded';
    } catch (error) {
      // A failed condition, or a transaction that met another: the caller reads again.
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) return 'conflict';
      throw error;
    }
  }
}
