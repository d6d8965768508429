// Delivery failures in the table: one item per failing delivery, listed under
// DEADLETTERS once the queue gave up on it.
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryFailure, FailureReport, FailureStore } from '../app/dead-letters';
import { documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';
import { listPage, type Page } from './pagination';

/** A dead letter as staff see it: every field of its failure record but the flag that lists it. */
export type DeadLetterView = Omit<DeliveryFailure, 'dead'>;

export class DynamoFailureStore implements FailureStore {
  constructor(private readonly tableName: string) {}

  async recordFailure(failure: FailureReport): Promise<void> {
    const { failedAt, dead, ...fields } = failure;
    await documentClient().send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.deliveryFailure(failure.id),
        UpdateExpression:
          'SET id = :id, #queue = :queue, channelId = :channelId, deliveryId = :deliveryId, receiveCount = :count, ' +
          'reason = :reason, lastFailedAt = :at, firstFailedAt = if_not_exists(firstFailedAt, :at)' +
          (dead ? ', listPk = :list, listSk = :sort' : ''),
        ExpressionAttributeNames: { '#queue': 'queue' },
        ExpressionAttributeValues: {
          ':id': fields.id,
          ':queue': fields.queue,
          ':channelId': fields.channelId,
          ':deliveryId': fields.deliveryId,
          ':count': fields.receiveCount,
          ':reason': fields.reason,
          ':at': failedAt,
          ...(dead ? { ':list': lists.deadLetters, ':sort': `${failedAt}#${failure.id}` } : {}),
        },
      }),
    );
  }

  async forget(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 25) {
      const keys = ids.slice(i, i + 25).map((id) => ({ DeleteRequest: { Key: itemKeys.deliveryFailure(id) } }));
      let pending: typeof keys | undefined = keys;
      // BatchWrite may hand some requests back under load; they are sent again.
      while (pending && pending.length > 0) {
        const result = await documentClient().send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = result.UnprocessedItems?.[this.tableName] as typeof keys | undefined;
      }
    }
  }

  async listDead(options: { cursor?: string | undefined; limit: number }): Promise<Page<DeadLetterView>> {
    const page = await listPage(
      { tableName: this.tableName, index: indexes.listByKind, partition: lists.deadLetters, newestFirst: true },
      options,
    );
    const items = page.items.map((item) => ({
      id: String(item['id']),
      queue: item['queue'] as DeadLetterView['queue'],
      firstFailedAt: String(item['firstFailedAt']),
      lastFailedAt: String(item['lastFailedAt']),
      receiveCount: Number(item['receiveCount']),
      reason: String(item['reason']),
      channelId: (item['channelId'] as string | null) ?? null,
      deliveryId: (item['deliveryId'] as string | null) ?? null,
    }));
    return { items, nextCursor: page.nextCursor };
  }
}
