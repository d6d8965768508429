// The rescore's messages: its start, its shards, and the customer events the
// campaigns will listen to.
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CustomerEvent, RescoreRequest, ScoringTask } from '../app/rescore';

let client: SQSClient | undefined;

export function sqs(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

export async function sendRescoreRequest(queueUrl: string, request: RescoreRequest): Promise<void> {
  await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request) }));
}

/**
 * SQS takes ten messages per batch; a batch entry that fails is an error, so
 * the caller's message is retried. `delaySeconds` (at most 900) holds them back.
 */
export async function sendAll(queueUrl: string, bodies: readonly unknown[], delaySeconds?: number): Promise<void> {
  for (let start = 0; start < bodies.length; start += 10) {
    const entries = bodies
      .slice(start, start + 10)
      .map((body, i) => ({ Id: `${start + i}`, MessageBody: JSON.stringify(body), DelaySeconds: delaySeconds }));
    const result = await sqs().send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    if (result.Failed?.length) {
      const first = result.Failed[0]!;
      throw new Error(`${result.Failed.length} of ${entries.length} messages were not sent: ${first.Code} ${first.Message ?? ''}`);
    }
  }
}

export function sendScoringTasks(queueUrl: string, tasks: readonly ScoringTask[]): Promise<void> {
  return sendAll(queueUrl, tasks);
}

export function publishCustomerEvents(queueUrl: string, events: readonly CustomerEvent[]): Promise<void> {
  return sendAll(queueUrl, events);
}
