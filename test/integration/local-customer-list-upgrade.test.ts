// A data directory of a version before the customer list had shards: every
// profile under the one `CUSTOMERS` list partition. The local stack moves them
// to their shards when it starts on it, so the list shows every customer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { localCredentials, localRegion } from '../../bin/local/emulators';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';
import { newCustomerId, profileItem } from '../../functions/adapters/customer-store';
import { itemKeys, lists } from '../../functions/adapters/dynamo-keys';
import { newProfile } from '../../functions/domain/customers';

let dataDir = '';
let running: LocalStack | undefined;

async function start(): Promise<LocalStack> {
  running = await startLocalStack({
    dataDir,
    port: 0,
    tableName: `upgrade-${process.pid}`,
    adminKey: 'test-admin-key',
    bootstrapAdminKey: async () => undefined,
    handlers: {
      processor: async () => ({ batchItemFailures: [] }),
      webhook: async () => ({ statusCode: 200, body: '' }),
      admin: async () => ({ statusCode: 200, body: '' }),
    },
  });
  return running;
}

function tableClient(stack: LocalStack): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: localRegion, credentials: localCredentials }));
}

afterAll(async () => {
  await running?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Local stack on a data directory of an earlier version', () => {
  it('moves profiles of the unsharded customer list to their shards when it starts', async () => {
    // Arrange: profiles as the earlier version wrote them, in a kept table.
    dataDir = await mkdtemp(join(tmpdir(), 'huitou-upgrade-'));
    const first = await start();
    const before = tableClient(first);
    const profiles = Array.from({ length: 12 }, (_, n) => newProfile(newCustomerId(), new Date(Date.UTC(2025, 0, 1 + n)).toISOString()));
    for (const profile of profiles) {
      await before.send(new PutCommand({ TableName: first.tableName, Item: { ...profileItem(profile), listPk: lists.unshardedCustomers } }));
    }
    before.destroy();
    await first.stop();
    running = undefined;

    // Act
    const second = await start();

    // Assert
    const after = tableClient(second);
    const stored = [];
    for (const profile of profiles) {
      stored.push((await after.send(new GetCommand({ TableName: second.tableName, Key: itemKeys.customer(profile.id), ConsistentRead: true }))).Item);
    }
    after.destroy();
    expect(stored.map((item) => item?.['listPk'])).toEqual(profiles.map((profile) => lists.customers(profile.id)));
    expect(new Set(stored.map((item) => item?.['listPk'])).size).toBeGreaterThan(1);
  }, 120_000);
});
