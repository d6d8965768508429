// A dead-letter queue read for a redrive: its messages go back to the source
// queue they failed on.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { failureIdOfMessage, type DeadLetterQueue, type DeadMessage } from '../app/dead-letters';
import { TransientError } from '../shared/errors';

let client: SQSClient | undefined;

function sqs(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

type Taken = DeadMessage & { receiptHandle: string };

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly dlqUrl: string,
    private readonly sourceUrl: string,
  ) {}

  async take(): Promise<Taken[]> {
    const received = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: this.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    return (received.Messages ?? []).map((message) => ({
      body: message.Body ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      failureId: failureIdOfMessage(message.Body ?? ''),
    }));
  }

  async sendBack(messages: readonly DeadMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const result = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: this.sourceUrl,
        Entries: messages.map((message, i) => ({ Id: String(i), MessageBody: message.body })),
      }),
    );
    // A message not sent back stays on the DLQ: it is not removed below.
    if ((result.Failed ?? []).length > 0) {
      throw new TransientError(`${result.Failed?.length} message(s) could not be sent back; nothing was removed`);
    }
  }

  async remove(messages: readonly DeadMessage[]): Promise<void> {
    const taken = messages as readonly Taken[];
    if (taken.length === 0) return;
    await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.dlqUrl,
        Entries: taken.map((message, i) => ({ Id: String(i), ReceiptHandle: message.receiptHandle })),
      }),
    );
  }
}
