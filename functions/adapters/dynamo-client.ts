// The DynamoDB document client, created once per process. Endpoints come from
// the standard AWS_ENDPOINT_URL_DYNAMODB variable, so the local stack needs no
// code path of its own.
import { DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let client: DynamoDBDocumentClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return client;
}

/**
 * Write and read units spent by this process, summed from ReturnConsumedCapacity.
 * The bench reads it to report units per order; the processor publishes it as a metric.
 */
export const capacityMeter = {
  writeUnits: 0,
  readUnits: 0,
  /** `kind` says what a bare CapacityUnits total counts as (PutItem gives no split). */
  record(kind: 'read' | 'write', consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (entry.WriteCapacityUnits !== undefined || entry.ReadCapacityUnits !== undefined) {
        this.writeUnits += entry.WriteCapacityUnits ?? 0;
        this.readUnits += entry.ReadCapacityUnits ?? 0;
      } else if (kind === 'write') {
        this.writeUnits += entry.CapacityUnits ?? 0;
      } else {
        this.readUnits += entry.CapacityUnits ?? 0;
      }
    }
  },
  reset(): void {
    this.writeUnits = 0;
    this.readUnits = 0;
  },
};
