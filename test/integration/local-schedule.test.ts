// The local stack's scheduler end to end: a firing goes through the local SQS
// rescore queue to the rescore function, as EventBridge Scheduler's message
// does on AWS. The rescore handler is an in-process stand-in that records what
// it receives; everything else is the real local stack.
import { randomBytes } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';
import { UnknownScheduleError } from '../../bin/local/scheduler';

process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';

const received: SQSRecord[] = [];
const logs: string[] = [];
let stack: LocalStack;

async function rescore(event: SQSEvent): Promise<SQSBatchResponse> {
  received.push(...event.Records);
  return { batchItemFailures: [] };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    inMemory: true,
    tableName: `t${randomBytes(4).toString('hex')}`,
    retryDelaySeconds: 0,
    handlers: { rescore },
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('Local stack: schedules', () => {
  it('arms the daily rescore at its definition when no env overrides it', () => {
    expect(logs).toContain('schedule DailyRescore: cron(0 3 * * ? *) in UTC');
  });

  it('delivers a firing of DailyRescore to the rescore function through the rescore queue', async () => {
    await stack.fireSchedule('DailyRescore');
    await waitFor('the rescore function to receive the message', () => received.length > 0);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual({ trigger: 'schedule' });
    expect(received[0]!.eventSourceARN).toMatch(new RegExp(`:${stack.tableName}-rescore$`));
    expect(logs).toContain('schedule DailyRescore fired');
  });

  it('refuses to fire a schedule that does not exist', async () => {
    await expect(stack.fireSchedule('Hourly')).rejects.toThrow(UnknownScheduleError);
  });
});
