// Complaints in the customer's partition (so erasing a customer reaches them),
// and the one question the sender asks of them: is one open?
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Complaint, ComplaintStore } from '../app/complaints';
import { capacityMeter, documentClient } from './dynamo-client';
import { customerItemPrefixes, customerPartition, itemKeys } from './dynamo-keys';
import { itemsUnderPrefix, type Item } from './pagination';

function complaintOf(item: Item): Complaint {
  const { pk: _pk, sk: _sk, ...complaint } = item;
  return complaint as unknown as Complaint;
}

/** A customer's complaint items, strongly consistent (a customer has few); with `openOnly`, the first open one at most. */
function complaintItems(tableName: string, customerId: string, openOnly: boolean): Promise<Item[]> {
  const prefix = customerItemPrefixes.complaint;
  const open = { expression: '#status = :open', names: { '#status': 'status' }, values: { ':open': 'open' } };
  return itemsUnderPrefix({ tableName, partition: customerPartition(customerId), prefix, ...(openOnly ? { filter: open, limit: 1 } : {}) });
}

/** Whether the customer has a complaint still open: the sender sends no promotion then. */
export async function hasOpenComplaint(tableName: string, customerId: string): Promise<boolean> {
  return (await complaintItems(tableName, customerId, true)).length > 0;
}

export class DynamoComplaintStore implements ComplaintStore {
  constructor(private readonly tableName: string) {}

  async customerExists(customerId: string): Promise<boolean> {
    const result = await documentClient().send(
      new GetCommand({
        TableName: this.tableName,
        Key: itemKeys.customer(customerId),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return result.Item !== undefined;
  }

  async add(complaint: Complaint): Promise<void> {
    const result = await documentClient().send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...itemKeys.complaint(complaint.customerId, complaint.id), ...complaint },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
  }

  async get(customerId: string, complaintId: string): Promise<Complaint | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.tableName, Key: itemKeys.complaint(customerId, complaintId), ConsistentRead: true }),
    );
    return result.Item ? complaintOf(result.Item) : undefined;
  }

  async list(customerId: string): Promise<Complaint[]> {
    // Ids are random, so the key order is not the time order.
    const complaints = (await complaintItems(this.tableName, customerId, false)).map(complaintOf);
    return complaints.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async resolve(customerId: string, complaintId: string, at: string): Promise<Complaint> {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.complaint(customerId, complaintId),
        UpdateExpression: 'SET #status = :resolved, resolvedAt = if_not_exists(resolvedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':resolved': 'resolved', ':at': at },
        ReturnValues: 'ALL_NEW',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
    return complaintOf(result.Attributes ?? {});
  }
}
