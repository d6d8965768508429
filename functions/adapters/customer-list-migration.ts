// The upgrade from one customer-list partition to its shards. Versions before
// the shards listed every profile under `CUSTOMERS`; every profile write now
// moves its profile to its shard, and this moves the ones nobody has written
// since. The local stack runs it at every start on a kept table; a deployed
// stack runs it once: `npm run migrate:customer-list -- --table <TableName>`.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './dynamo-client';
import { indexes, lists } from './dynamo-keys';

type Item = Record<string, unknown>;

/** Moves every profile still in the unsharded list to its shard; returns how many it moved. */
export async function shardCustomerList(tableName: string, db: DynamoDBDocumentClient = documentClient()): Promise<number> {
  let moved = 0;
  let startKey: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexes.listByKind,
        KeyConditionExpression: 'listPk = :unsharded',
        ExpressionAttributeValues: { ':unsharded': lists.unshardedCustomers },
        ProjectionExpression: 'pk, sk, id',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        // Only a profile still unsharded: one that a write moved meanwhile, or
        // an erasure deleted, is left as it is (the index lags the table).
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: item['pk'], sk: item['sk'] },
            UpdateExpression: 'SET listPk = :shard',
            ConditionExpression: 'listPk = :unsharded',
            ExpressionAttributeValues: { ':shard': lists.customers(String(item['id'])), ':unsharded': lists.unshardedCustomers },
          }),
        );
        moved += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return moved;
}
