// What every SQS consumer of huitou's own messages does with a batch: parse
// each record against its schema, run it, and report failures per record so
// only those are retried, each with a log line that says why.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import type { QueueName } from '../../lib/resources';
import { HuitouError } from '../shared/errors';
import { logger } from '../shared/observability';

/** A queue message that does not fit its schema: only a bug of ours or a hand-sent message makes one. */
export class MalformedMessageError extends HuitouError {}

export function parseQueueMessage<T>(record: SQSRecord, schema: z.ZodType<T>, what: string): T {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new MalformedMessageError(`the queue message is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
    throw new MalformedMessageError(`the queue message is not a ${what}: ${fields}`);
  }
  return parsed.data;
}

export function reportRecords(
  event: SQSEvent,
  run: (record: SQSRecord) => Promise<void>,
  queue: QueueName | readonly QueueName[],
): Promise<SQSBatchResponse> {
  const logged = async (record: SQSRecord) => {
    try {
      await run(record);
    } catch (error) {
      logger.error('queue message failed; SQS will retry it', {
        queue,
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
  // A processor per invocation: two invocations in one environment never report each other's records.
  return processPartialResponse(event, logged, new BatchProcessor(EventType.SQS));
}
