// The campaigns' messages: send tasks for the sender, and the matcher's own
// work (ticks, run starts, shards).
import type { SendTask } from '../app/send-campaign';
import type { CampaignRunMessage } from '../shared/schemas';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { sendAll, sqs } from './scoring-queue';

export function sendTasks(queueUrl: string, tasks: readonly SendTask[], delaySeconds?: number): Promise<void> {
  return sendAll(queueUrl, tasks, delaySeconds);
}

export function sendRunMessages(queueUrl: string, messages: readonly CampaignRunMessage[]): Promise<void> {
  return sendAll(queueUrl, messages);
}

/** Holds a received message back for `seconds` from now: its next receive, after a failure. */
export async function retryTaskLater(queueUrl: string, receiptHandle: string, seconds: number): Promise<void> {
  await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
}
