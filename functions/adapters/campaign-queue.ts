// The campaigns' messages: send tasks for the sender, and the matcher's own
// work (ticks, run starts, shards).
import type { SendTask } from '../app/send-campaign';
import type { CampaignRunMessage } from '../shared/schemas';
import { sendAll } from './scoring-queue';

export function sendTasks(queueUrl: string, tasks: readonly SendTask[], delaySeconds?: number): Promise<void> {
  return sendAll(queueUrl, tasks, delaySeconds);
}

export function sendRunMessages(queueUrl: string, messages: readonly CampaignRunMessage[]): Promise<void> {
  return sendAll(queueUrl, messages);
}
