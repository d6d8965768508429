// Scores, stages and their history in a customer's partition. The scores item
// is apart from the profile, so a rescore never conflicts with an order write
// and an order's profile write never overwrites a fresh score. Each write is
// conditioned on the scores revision it read, and carries the events of its
// transitions until they are published (an outbox).
import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerEvent, ScoreStore, StoredScore } from '../app/rescore';
import { clvMinorOf, type CustomerScore, type Transition } from '../domain/scoring/customer-score';
import { ConflictError } from '../shared/errors';
import { capacityMeter, documentClient } from './dynamo-client';
import { isConditionFailure } from './customer-store';
import { customerItemPrefixes, customerPartition, itemKeys, scoreLists } from './dynamo-keys';
import { itemsUnderPrefix, type Item } from './pagination';

const storageFields = new Set(['pk', 'sk', 'scorePk', 'scoreSk', 'customerId', 'rev', 'pendingEvents', 'scoredAt']);

function scoreOf(item: Item): StoredScore {
  const score = Object.fromEntries(Object.entries(item).filter(([key]) => !storageFields.has(key))) as unknown as CustomerScore;
  return {
    ...score,
    rev: Number(item.rev ?? 0),
    pendingEvents: (item.pendingEvents as CustomerEvent[] | undefined) ?? [],
  };
}

export class DynamoScoreStore implements ScoreStore {
  constructor(private readonly tableName: string) {}

  async getScore(customerId: string): Promise<StoredScore | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.tableName, Key: itemKeys.customerScores(customerId), ConsistentRead: true }),
    );
    return result.Item ? scoreOf(result.Item) : undefined;
  }

  async saveScore(
    customerId: string,
    next: CustomerScore,
    expectedRev: number,
    transitions: readonly Transition[],
    events: readonly CustomerEvent[],
    at: string,
  ): Promise<number> {
    const rev = expectedRev + 1;
    const sortKey = scoreLists.sortKey(clvMinorOf(next), customerId);
    const scoresItem: Item = {
      ...itemKeys.customerScores(customerId),
      ...next,
      customerId,
      rev,
      scoredAt: at,
      ...(events.length ? { pendingEvents: events } : {}),
      // Only customers with a segment are listed by segment; prospects have none.
      ...(next.segment ? { scorePk: scoreLists.segment(next.segment, customerId), scoreSk: sortKey } : {}),
    };
    const stageItem: Item = {
      ...itemKeys.customerStage(customerId),
      customerId,
      stage: next.stage,
      scorePk: scoreLists.stage(next.stage, customerId),
      scoreSk: sortKey,
    };
    try {
      const result = await documentClient().send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: 'TOTAL',
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: scoresItem,
                ConditionExpression: expectedRev === 0 ? 'attribute_not_exists(pk)' : '#rev = :expected',
                ...(expectedRev === 0 ? {} : { ExpressionAttributeNames: { '#rev': 'rev' }, ExpressionAttributeValues: { ':expected': expectedRev } }),
              },
            },
            { Put: { TableName: this.tableName, Item: stageItem } },
            ...transitions.map((transition) => ({
              Put: {
                TableName: this.tableName,
                Item: { ...itemKeys.scoreTransition(customerId, at, transition.kind), ...transition, at, asOf: next.asOf },
              },
            })),
          ],
        }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
      return rev;
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(`scores of ${customerId} moved since they were read`);
      throw error;
    }
  }

  async clearPending(customerId: string, rev: number): Promise<void> {
    try {
      const result = await documentClient().send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKeys.customerScores(customerId),
          UpdateExpression: 'REMOVE pendingEvents',
          ConditionExpression: '#rev = :rev',
          ExpressionAttributeNames: { '#rev': 'rev' },
          ExpressionAttributeValues: { ':rev': rev },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
    } catch (error) {
      // A newer write carries its own pending events; these were published.
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** The scores items of many customers (a page of a list), by id; absent for a customer never scored. */
export async function scoresOf(tableName: string, customerIds: readonly string[]): Promise<Map<string, StoredScore>> {
  const found = new Map<string, StoredScore>();
  const unique = [...new Set(customerIds)];
  for (let start = 0; start < unique.length; start += 100) {
    let keys: Item[] | undefined = unique.slice(start, start + 100).map((id): Item => ({ ...itemKeys.customerScores(id) }));
    for (let attempt = 0; keys?.length && attempt < 8; attempt += 1) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }));
      for (const item of result.Responses?.[tableName] ?? []) found.set(String(item.customerId), scoreOf(item));
      keys = result.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
      if (keys?.length) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
  return found;
}

export interface ScoreTransitionRecord extends Transition {
  at: string;
  asOf: string;
}

/** A customer's segment and stage transitions, newest first. */
export async function transitionsOf(tableName: string, customerId: string, limit = 100): Promise<ScoreTransitionRecord[]> {
  const partition = customerPartition(customerId);
  const items = await itemsUnderPrefix({ tableName, partition, prefix: customerItemPrefixes.transition, newestFirst: true, limit });
  return items.map((item) => ({
    kind: item['kind'] as Transition['kind'],
    from: (item['from'] as string | undefined) ?? null,
    to: (item['to'] as string | undefined) ?? null,
    at: String(item['at']),
    asOf: String(item['asOf']),
  }));
}
