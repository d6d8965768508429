// Every write of the rescore asks DynamoDB for its consumed capacity and adds
// it to the process's meter, so bench/rescore counts the job, the model and
// the outbox clean-up too, not only the scores.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CurrentModel, Job } from '../../functions/app/rescore';
import { capacityMeter } from '../../functions/adapters/dynamo-client';
import { DynamoJobStore } from '../../functions/adapters/job-store';
import { putCurrentModel } from '../../functions/adapters/model-store';
import { DynamoScoreStore } from '../../functions/adapters/score-store';
import '../support/handler-env';

const dynamo = mockClient(DynamoDBDocumentClient);
const consumed = (units: number) => ({ ConsumedCapacity: { TableName: 't', CapacityUnits: units } });

const job: Job = {
  id: 'job_00aa',
  kind: 'rescore',
  status: 'queued',
  trigger: 'api',
  createdAt: '2026-01-01T00:00:00.000Z',
  progress: { phase: 'queued', shardsTotal: 16, shardsDone: 0, customersScored: 0, changed: 0 },
  shardsDone: [],
  shardReports: {},
};

beforeEach(() => {
  dynamo.reset();
  capacityMeter.reset();
});

describe('write units of the rescore', () => {
  it('records the units of creating, updating and reporting a shard of a job', async () => {
    dynamo.on(PutCommand).resolves(consumed(2));
    dynamo.on(UpdateCommand).resolves({ ...consumed(3), Attributes: { pk: 'JOB#job_00aa', sk: 'JOB', ...job, shardsDone: new Set(['CUSTOMERS#00']) } });
    const jobs = new DynamoJobStore('t');

    await jobs.create(job);
    await jobs.update(job.id, { status: 'running' });
    await jobs.reportShard(job.id, 'CUSTOMERS#00', { customers: 1, changed: 1, segments: {} });

    expect(capacityMeter.writeUnits).toBe(8);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, { ReturnConsumedCapacity: 'TOTAL' });
    expect(dynamo.commandCalls(UpdateCommand).every((call) => call.args[0].input.ReturnConsumedCapacity === 'TOTAL')).toBe(true);
  });

  it('records the units of storing the current model', async () => {
    dynamo.on(PutCommand).resolves(consumed(5));

    await putCurrentModel('t', { asOf: '2026-01-01', jobId: job.id } as CurrentModel);

    expect(capacityMeter.writeUnits).toBe(5);
  });

  it('records the units of clearing published events, and none when a newer write won', async () => {
    dynamo.on(UpdateCommand).resolvesOnce(consumed(1)).rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const scores = new DynamoScoreStore('t');

    await scores.clearPending('cus_00aa', 1);
    await scores.clearPending('cus_00aa', 1);

    expect(capacityMeter.writeUnits).toBe(1);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, { ReturnConsumedCapacity: 'TOTAL' });
  });
});
