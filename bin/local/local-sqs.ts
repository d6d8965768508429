// The local SQS: local-aws-sqs (the emulator the project uses) behind an HTTP
// server of our own, so that with a data directory every change to what a
// queue holds goes through the write-ahead journal of sqs-journal.ts:
// - SendMessage(Batch): journaled after the emulator took the message and
//   before the answer is sent, so a webhook that answered 200 has its message
//   on disk;
// - ReceiveMessage: the delivered ids, so receive counts (and with them the
//   redrive after maxReceiveCount) survive a restart;
// - DeleteMessage(Batch), PurgeQueue, DeleteQueue: journaled once they succeeded.
// ChangeMessageVisibility is not: after a restart every message is visible.
// Each record is written inside the emulator's own end() of the answer, in the
// same tick as its change to the queue, so the file's order is the queues' order.
//
// Requests run through local-aws-sqs's createRequestHandler in this process
// (no second socket). The journal reads the AWS JSON protocol, which is what
// the AWS SDK v3 sends; with a journal, an older query-protocol (XML) request
// that would change a queue is refused, as are moves inside the emulator
// (RedrivePolicy, StartMessageMoveTask) that no request would show.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createRequestHandler } from 'local-aws-sqs';
import { z } from 'zod';
import { closeServer, localHost as host, localRegion, type Emulator, type Log } from './emulators';
import { entryOf, QueueJournal, type LiveMessage, type QueueJournalOptions } from './sqs-journal';

const jsonProtocol = 'application/x-amz-json-1.0';

/** Receive counts of the messages sent again at start, by queue name, then by their new MessageId. */
export type ReceiveCounts = Map<string, Map<string, number>>;

export interface LocalSqs extends Emulator {
  /**
   * Sends again every message the journal holds (sent and not deleted, DLQs
   * included) and returns their receive counts. Call it once, after the
   * queues exist and before any consumer polls. In memory it does nothing.
   */
  restore(): Promise<ReceiveCounts>;
}

export class ReceiptHandleFormatError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('a receipt handle of local-aws-sqs is not base64 of text ending in {date, MessageId, QueueName}', options);
    this.name = 'ReceiptHandleFormatError';
  }
}

const receiptHandleContent = z.object({ date: z.number(), MessageId: z.string().min(1), QueueName: z.string().min(1) });

/**
 * The message a receipt handle of local-aws-sqs (2.x) stands for: the handle
 * is base64 of a random UUID followed by JSON {date, MessageId, QueueName}.
 */
export function messageOfReceiptHandle(handle: string): { messageId: string; queueName: string } {
  try {
    const text = Buffer.from(handle, 'base64').toString('utf8');
    const content = receiptHandleContent.parse(JSON.parse(text.slice(text.indexOf('{'))));
    return { messageId: content.MessageId, queueName: content.QueueName };
  } catch (error) {
    throw new ReceiptHandleFormatError({ cause: error });
  }
}

/** The queue name in a QueueUrl, read as local-aws-sqs reads it (its last path segment). */
function queueOf(queueUrl: unknown): string {
  const url = String(queueUrl ?? '');
  try {
    return new URL(url).pathname.split('/').filter(Boolean).pop() ?? url;
  } catch {
    return url;
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function errorAnswer(status: number, type: string, message: string): Answer {
  return {
    status,
    headers: { 'content-type': jsonProtocol, 'x-amzn-query-error': `AWS.SimpleQueueService.${type};${status < 500 ? 'Sender' : 'Receiver'}` },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message }),
  };
}

type RequestHandler = ReturnType<typeof createRequestHandler>['requestHandler'];

/**
 * Runs one request through local-aws-sqs. `settle` runs inside the emulator's
 * end(), before any other request can change a queue, and may replace the answer.
 */
function emulate(handler: RequestHandler, headers: IncomingHttpHeaders, body: Buffer, settle: (answer: Answer) => Answer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = Object.assign(Readable.from([body]), { headers });
    const answer: Answer = { status: 200, headers: {}, body: '' };
    // Only what local-aws-sqs uses of a ServerResponse: statusCode, setHeader, end.
    const response = {
      set statusCode(status: number) {
        answer.status = status;
      },
      get statusCode() {
        return answer.status;
      },
      setHeader(name: string, value: unknown) {
        answer.headers[name.toLowerCase()] = String(value);
      },
      end(chunk?: unknown) {
        answer.body = chunk === undefined || chunk === null ? '' : String(chunk);
        resolve(settle(answer));
      },
    };
    handler(request as unknown as IncomingMessage, response as unknown as ServerResponse).catch(reject);
  });
}

function jsonRequest(action: string, input: Record<string, unknown>): { headers: IncomingHttpHeaders; body: Buffer } {
  return {
    headers: { 'content-type': jsonProtocol, 'x-amz-target': `AmazonSQS.${action}` },
    body: Buffer.from(JSON.stringify(input)),
  };
}

const sendBatchRequest = z.object({ Entries: z.array(z.looseObject({ Id: z.string() })) });
const sendBatchResponse = z.object({ Successful: z.array(z.object({ Id: z.string(), MessageId: z.string() })).optional() });
const receiveResponse = z.object({ Messages: z.array(z.object({ MessageId: z.string() })).optional() });
const deleteBatchRequest = z.object({ Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })) });
const deleteBatchResponse = z.object({ Successful: z.array(z.object({ Id: z.string() })).optional() });
const retentionAnswer = z.object({ Attributes: z.object({ MessageRetentionPeriod: z.string() }) });
const queueUrlAnswer = z.object({ QueueUrl: z.string() });
const sendAnswer = z.object({ MessageId: z.string() });
const receiptHandleRequest = z.object({ ReceiptHandle: z.string() });
// Built once: zod compiles a schema on its first parse, which would cost every request.
const jsonObject = z.record(z.string(), z.unknown());

type Journaling = (journal: QueueJournal, request: Record<string, unknown>, response: Record<string, unknown>) => void;

/** What each action that changes a queue writes, given its request and its (successful) answer. */
const journaling: Record<string, Journaling> = {
  SendMessage(journal, request, response) {
    const id = sendAnswer.parse(response).MessageId;
    journal.sent([{ queue: queueOf(request.QueueUrl), id, sentAt: Date.now(), entry: entryOf(request), receives: 0 }]);
  },
  SendMessageBatch(journal, request, response) {
    const entries = new Map(sendBatchRequest.parse(request).Entries.map((entry) => [entry.Id, entry]));
    const sentAt = Date.now();
    journal.sent(
      (sendBatchResponse.parse(response).Successful ?? []).map((sent) => ({
        queue: queueOf(request.QueueUrl),
        id: sent.MessageId,
        sentAt,
        entry: entryOf(entries.get(sent.Id) ?? {}),
        receives: 0,
      })),
    );
  },
  ReceiveMessage(journal, request, response) {
    const ids = (receiveResponse.parse(response).Messages ?? []).map((message) => message.MessageId);
    journal.received(queueOf(request.QueueUrl), ids);
  },
  DeleteMessage(journal, request) {
    const { messageId, queueName } = messageOfReceiptHandle(receiptHandleRequest.parse(request).ReceiptHandle);
    journal.deleted(queueName, [messageId]);
  },
  DeleteMessageBatch(journal, request, response) {
    const handles = new Map(deleteBatchRequest.parse(request).Entries.map((entry) => [entry.Id, entry.ReceiptHandle]));
    const deleted = (deleteBatchResponse.parse(response).Successful ?? []).map((entry) =>
      messageOfReceiptHandle(handles.get(entry.Id) ?? ''),
    );
    journal.deleted(queueOf(request.QueueUrl), deleted.map((message) => message.messageId));
  },
  PurgeQueue(journal, request) {
    journal.purged(queueOf(request.QueueUrl));
  },
  DeleteQueue(journal, request) {
    journal.purged(queueOf(request.QueueUrl));
  },
};

/** With a journal, the query protocol may only read. */
const refusedInQueryProtocol = new Set([...Object.keys(journaling), 'StartMessageMoveTask', 'CreateQueue', 'SetQueueAttributes']);

/** Why the emulator would change a queue in a way no journaled request shows, if it would. */
function unjournaledChange(action: string, request: Record<string, unknown>): string | undefined {
  if (action === 'StartMessageMoveTask') return 'StartMessageMoveTask moves messages inside the emulator; move them with Receive, Send and Delete';
  const attributes = request.Attributes as Record<string, unknown> | undefined;
  if ((action === 'CreateQueue' || action === 'SetQueueAttributes') && attributes?.RedrivePolicy !== undefined) {
    return 'a RedrivePolicy moves messages inside the emulator; the SQS event source redrives instead';
  }
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the local SQS on a free port of 127.0.0.1. With `journalDir` every
 * accepted message is kept there until deleted; without it, nothing is on disk.
 */
export async function startLocalSqs(input: { journalDir?: string; log: Log } & QueueJournalOptions): Promise<LocalSqs> {
  const { log } = input;
  const { service, requestHandler } = createRequestHandler({
    port: 0,
    hostname: host,
    region: localRegion,
    emulateQueueCreationLifecycle: false,
  });
  const opened = input.journalDir ? QueueJournal.open(input.journalDir, input) : undefined;
  const journal = opened?.journal;
  let stopped = false;

  async function dispatch(headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
    if (!journal) return emulate(requestHandler, headers, body, (answer) => answer);
    if (headers['content-type'] !== jsonProtocol) {
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
      if (refusedInQueryProtocol.has(action)) {
        return errorAnswer(400, 'UnsupportedOperation', `the journaled local SQS reads ${action} only in the AWS JSON protocol (AWS SDK v3)`);
      }
      return emulate(requestHandler, headers, body, (answer) => answer);
    }
    const action = String(headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    let request: Record<string, unknown> = {};
    try {
      request = jsonObject.parse(JSON.parse(body.toString('utf8')));
    } catch {
      // local-aws-sqs answers an unreadable body itself.
    }
    const refused = unjournaledChange(action, request);
    if (refused) return errorAnswer(400, 'UnsupportedOperation', `the journaled local SQS cannot follow this: ${refused}`);
    const write = journaling[action];
    return emulate(requestHandler, headers, body, (answer) => {
      if (!write || answer.status !== 200) return answer;
      try {
        write(journal, request, answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : {});
        return answer;
      } catch (error) {
        // The client hears of a failure, so a sender tries again (the webhook answers 503).
        // After stop() only a long poll can still answer, to a connection already closed.
        if (!stopped) log(`sqs journal: ${action} not journaled: ${(error as Error).message}`);
        return errorAnswer(500, 'InternalFailure', `the local SQS could not journal ${action}`);
      }
    });
  }

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => dispatch(request.headers, body))
      .catch((error: unknown) => {
        log(`sqs: ${(error as Error).message}`);
        return errorAnswer(500, 'InternalFailure', 'the local SQS failed');
      })
      .then((answer) => {
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      })
      .catch(() => undefined); // the client went away
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  service.PORT = port;

  async function call(action: string, input: Record<string, unknown>): Promise<Answer> {
    const { headers, body } = jsonRequest(action, input);
    return emulate(requestHandler, headers, body, (answer) => answer);
  }

  async function restore(): Promise<ReceiveCounts> {
    const counts: ReceiveCounts = new Map();
    if (!opened || !journal) return counts;
    const { recovered } = opened;
    if (recovered.tornTail) log('sqs journal: ignored a last record cut short by a crash (its answer never left)');
    if (recovered.unreadable > 0) log(`sqs journal: ignored ${recovered.unreadable} unreadable line(s)`);

    const byQueue = new Map<string, LiveMessage[]>();
    for (const message of recovered.messages) {
      const messages = byQueue.get(message.queue) ?? [];
      messages.push(message);
      byQueue.set(message.queue, messages);
    }
    let restored = 0;
    for (const [queue, messages] of byQueue) {
      const found = await call('GetQueueUrl', { QueueName: queue });
      if (found.status !== 200) {
        journal.sent(messages);
        log(`sqs journal: kept ${messages.length} message(s) of ${queue}, a queue this stack does not have`);
        continue;
      }
      const queueUrl = queueUrlAnswer.parse(JSON.parse(found.body)).QueueUrl;
      const attributes = await call('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['MessageRetentionPeriod'] });
      const retentionMs = Number(retentionAnswer.parse(JSON.parse(attributes.body)).Attributes.MessageRetentionPeriod) * 1000;
      const now = Date.now();
      const kept = messages.filter((message) => message.sentAt + retentionMs > now);
      if (kept.length < messages.length) log(`sqs journal: ${messages.length - kept.length} message(s) of ${queue} outlived the retention period`);
      for (const message of kept) {
        const { DelaySeconds, ...entry } = message.entry;
        const delayLeft = DelaySeconds ? Math.max(0, Math.ceil((message.sentAt + DelaySeconds * 1000 - now) / 1000)) : 0;
        const sent = await call('SendMessage', { ...entry, ...(delayLeft > 0 ? { DelaySeconds: delayLeft } : {}), QueueUrl: queueUrl });
        if (sent.status !== 200) throw new Error(`cannot queue a journaled message of ${queue} again: ${sent.body}`);
        const id = sendAnswer.parse(JSON.parse(sent.body)).MessageId;
        journal.sent([{ ...message, id }]);
        if (message.receives > 0) counts.set(queue, (counts.get(queue) ?? new Map()).set(id, message.receives));
        restored += 1;
      }
    }
    journal.commit();
    if (restored > 0) log(`sqs journal: ${restored} message(s) queued again`);
    return counts;
  }

  return {
    endpoint: `http://${host}:${port}`,
    restore,
    async stop() {
      stopped = true;
      await closeServer(server);
      journal?.close();
    },
  };
}
