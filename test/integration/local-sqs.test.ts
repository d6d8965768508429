// The local SQS with its write-ahead journal (bin/local/local-sqs.ts), driven
// by the AWS SDK v3 as the functions drive it. A "crash" here is a second
// LocalSqs on the same journal while the first is left as it was: the journal
// is written synchronously, so the file is what a kill -9 would leave.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { messageOfReceiptHandle, startLocalSqs, type LocalSqs } from '../../bin/local/local-sqs';
import { replayJournal } from '../../bin/local/sqs-journal';

const started: { sqs: LocalSqs; client: SQSClient }[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const { sqs, client } of started.splice(0)) {
    client.destroy();
    await sqs.stop();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'huitou-local-sqs-'));
  dirs.push(dir);
  return dir;
}

async function start(journalDir?: string, options: { compactAtBytes?: number } = {}) {
  const logs: string[] = [];
  const sqs = await startLocalSqs({ ...(journalDir ? { journalDir } : {}), ...options, log: (line) => logs.push(line) });
  const client = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  started.push({ sqs, client });
  const queue = async (name: string): Promise<string> => (await client.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
  return { sqs, client, queue, logs };
}

async function receiveAll(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const received = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
  );
  return received.Messages ?? [];
}

function journalText(dir: string): string {
  return readFileSync(join(dir, 'journal'), 'utf8');
}

describe('Local SQS: receipt handles of local-aws-sqs', () => {
  it('reads the MessageId and queue name from a receipt handle (fails if local-aws-sqs changes its format)', async () => {
    const { client, queue } = await start();
    const queueUrl = await queue('handles');
    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));

    const [received] = await receiveAll(client, queueUrl);

    expect(messageOfReceiptHandle(received?.ReceiptHandle ?? '')).toEqual({ messageId: MessageId, queueName: 'handles' });
  });

  it('rejects a receipt handle of another shape', () => {
    expect(() => messageOfReceiptHandle(Buffer.from('{"MessageId":"m"}').toString('base64'))).toThrow('receipt handle');
    expect(() => messageOfReceiptHandle('not base64 at all')).toThrow('receipt handle');
  });
});

describe('Local SQS with a journal', () => {
  it('has a sent message on disk by the time SendMessage answers', async () => {
    const dir = tempDir();
    const { sqs, client, queue } = await start(dir);
    const queueUrl = await queue('ingest');
    await sqs.restore();

    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"order":1}' }));

    expect(replayJournal(journalText(dir)).messages.map((m) => [m.queue, m.id, m.entry.MessageBody])).toEqual([
      ['ingest', MessageId, '{"order":1}'],
    ]);
  });

  it('sends again after a crash what was sent and not deleted, with attributes and receive counts, DLQ included', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const ingest = await first.queue('ingest');
    const dlq = await first.queue('ingest-dlq');
    await first.sqs.restore();
    await first.client.send(
      new SendMessageCommand({
        QueueUrl: ingest,
        MessageBody: 'kept',
        MessageAttributes: {
          topic: { DataType: 'String', StringValue: 'orders/create' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
        },
      }),
    );
    await first.client.send(
      new SendMessageBatchCommand({
        QueueUrl: ingest,
        Entries: [
          { Id: '1', MessageBody: 'deleted one by one' },
          { Id: '2', MessageBody: 'deleted in a batch' },
          { Id: '3', MessageBody: 'kept too' },
        ],
      }),
    );
    await first.client.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'dead' }));
    const delivered = await receiveAll(first.client, ingest);
    expect(delivered).toHaveLength(4);
    const handle = (body: string): string => delivered.find((m) => m.Body === body)?.ReceiptHandle ?? '';
    await first.client.send(new DeleteMessageCommand({ QueueUrl: ingest, ReceiptHandle: handle('deleted one by one') }));
    await first.client.send(
      new DeleteMessageBatchCommand({ QueueUrl: ingest, Entries: [{ Id: 'x', ReceiptHandle: handle('deleted in a batch') }] }),
    );

    // Crash: the first server is left as it is; a new one starts on the same journal.
    const second = await start(dir);
    const ingestAgain = await second.queue('ingest');
    const dlqAgain = await second.queue('ingest-dlq');
    const counts = await second.sqs.restore();

    const back = await receiveAll(second.client, ingestAgain);
    expect(back.map((m) => m.Body).sort()).toEqual(['kept', 'kept too']);
    const kept = back.find((m) => m.Body === 'kept');
    expect(kept?.MessageAttributes).toEqual({
      topic: { DataType: 'String', StringValue: 'orders/create' },
      raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
    });
    expect(
      Object.fromEntries(back.map((m) => [m.Body, counts.get('ingest')?.get(m.MessageId ?? '')])),
    ).toEqual({ kept: 1, 'kept too': 1 });
    expect((await receiveAll(second.client, dlqAgain)).map((m) => m.Body)).toEqual(['dead']);
  });

  it('counts the receives made after a restart on top of those before it', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const ingest = await first.queue('ingest');
    await first.sqs.restore();
    await first.client.send(new SendMessageCommand({ QueueUrl: ingest, MessageBody: 'retried' }));
    await receiveAll(first.client, ingest);

    const second = await start(dir);
    await second.queue('ingest');
    await second.sqs.restore();
    await receiveAll(second.client, await second.queue('ingest'));

    const third = await start(dir);
    await third.queue('ingest');
    const counts = await third.sqs.restore();
    expect([...(counts.get('ingest')?.values() ?? [])]).toEqual([2]);
  });

  it('forgets what a purge removed', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const ingest = await first.queue('ingest');
    await first.sqs.restore();
    await first.client.send(new SendMessageCommand({ QueueUrl: ingest, MessageBody: 'purged' }));
    await first.client.send(new PurgeQueueCommand({ QueueUrl: ingest }));

    const second = await start(dir);
    const ingestAgain = await second.queue('ingest');
    await second.sqs.restore();

    expect(await receiveAll(second.client, ingestAgain)).toEqual([]);
  });

  it('keeps the messages of a queue the next start does not create, for a later start that does', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await first.sqs.restore();
    await first.client.send(new SendMessageCommand({ QueueUrl: await first.queue('old-table-ingest'), MessageBody: 'later' }));

    const second = await start(dir);
    await second.sqs.restore();
    expect(second.logs).toContainEqual(expect.stringContaining('kept 1 message(s) of old-table-ingest'));

    const third = await start(dir);
    const queueUrl = await third.queue('old-table-ingest');
    await third.sqs.restore();
    expect((await receiveAll(third.client, queueUrl)).map((m) => m.Body)).toEqual(['later']);
  });

  it('does not send again a message older than its queue keeps messages', async () => {
    const dir = tempDir();
    const record = (id: string, at: number): string =>
      `${JSON.stringify({ t: 'send', q: 'ingest', id, at, m: { MessageBody: id } })}\n`;
    writeFileSync(join(dir, 'journal'), record('expired', Date.now() - 120_000) + record('recent', Date.now() - 1_000));

    const { sqs, client, logs } = await start(dir);
    const queueUrl = (await client.send(new CreateQueueCommand({ QueueName: 'ingest', Attributes: { MessageRetentionPeriod: '60' } }))).QueueUrl ?? '';
    await sqs.restore();

    expect((await receiveAll(client, queueUrl)).map((m) => m.Body)).toEqual(['recent']);
    expect(logs).toContainEqual(expect.stringContaining('1 message(s) of ingest outlived the retention period'));
  });

  it('keeps the journal small while messages come and go', async () => {
    const dir = tempDir();
    const { sqs, client, queue } = await start(dir, { compactAtBytes: 16 * 1024 });
    const queueUrl = await queue('ingest');
    await sqs.restore();

    for (let round = 0; round < 20; round++) {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: 'x'.repeat(500) })),
        }),
      );
      const received = await receiveAll(client, queueUrl);
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: received.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }

    // 200 messages of 500 bytes went through; what is left on disk is a fraction of that.
    expect(Buffer.byteLength(journalText(dir))).toBeLessThan(16 * 1024);
    expect(replayJournal(journalText(dir)).messages).toEqual([]);
  });

  it('refuses what it could not journal: a query-protocol send and a move inside the emulator', async () => {
    const dir = tempDir();
    const { sqs, queue } = await start(dir);
    const queueUrl = await queue('ingest');
    await sqs.restore();

    const querySend = await fetch(sqs.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: 'SendMessage', QueueUrl: queueUrl, MessageBody: 'xml' }).toString(),
    });
    const moveTask = await fetch(sqs.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.StartMessageMoveTask' },
      body: JSON.stringify({ SourceArn: 'arn:aws:sqs:us-east-1:123456789012:ingest' }),
    });

    expect(querySend.status).toBe(400);
    expect(moveTask.status).toBe(400);
    expect(await moveTask.json()).toMatchObject({ __type: 'com.amazonaws.sqs#UnsupportedOperation' });
    expect(replayJournal(journalText(dir)).messages).toEqual([]);
  });
});

describe('Local SQS in memory', () => {
  it('serves the query protocol too', async () => {
    const { sqs, queue } = await start();
    const queueUrl = await queue('ingest');

    const querySend = await fetch(sqs.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: 'SendMessage', QueueUrl: queueUrl, MessageBody: 'xml' }).toString(),
    });

    expect(querySend.status).toBe(200);
    expect(await querySend.text()).toContain('<MessageId>');
  });
});
