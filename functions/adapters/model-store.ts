// The store's current model: one item, replaced by each rescore's phase 1 and
// read by every scorer and by the processor's refresh.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CurrentModel } from '../app/rescore';
import { capacityMeter, documentClient } from './dynamo-client';
import { itemKeys } from './dynamo-keys';

export async function getCurrentModel(tableName: string): Promise<CurrentModel | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.currentModel(), ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  const { pk: _pk, sk: _sk, ...model } = result.Item;
  return model as CurrentModel;
}

export async function putCurrentModel(tableName: string, model: CurrentModel): Promise<void> {
  const result = await documentClient().send(
    new PutCommand({ TableName: tableName, Item: { ...itemKeys.currentModel(), ...model }, ReturnConsumedCapacity: 'TOTAL' }),
  );
  capacityMeter.record('write', result.ConsumedCapacity);
}
