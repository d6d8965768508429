// The matcher's tick claims the time since the last one with a conditional
// write, so two ticks (a retry, an overlap) never start the same runs twice.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './dynamo-client';
import { isConditionFailure } from './customer-store';
import { itemKeys } from './dynamo-keys';

export async function claimTickWindow(tableName: string, now: Date, firstWindowMs: number): Promise<{ from: Date; to: Date } | undefined> {
  const key = itemKeys.campaignTick();
  const current = await documentClient().send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const last = current.Item?.at as string | undefined;
  const from = last ? new Date(last) : new Date(now.getTime() - firstWindowMs);
  if (from.getTime() >= now.getTime()) return undefined;
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, at: now.toISOString() },
        ConditionExpression: last ? '#at = :last' : 'attribute_not_exists(pk)',
        ExpressionAttributeNames: last ? { '#at': 'at' } : undefined,
        ExpressionAttributeValues: last ? { ':last': last } : undefined,
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
  return { from, to: now };
}
