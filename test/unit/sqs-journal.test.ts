// The write-ahead journal of the local SQS (bin/local/sqs-journal.ts): what a
// restart sends again, what a crash can leave in the file, and compaction.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueJournal, replayJournal, type LiveMessage } from '../../bin/local/sqs-journal';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'huitou-journal-'));
  dirs.push(dir);
  return dir;
}

function message(id: string, queue = 'q', body = `{"n":"${id}"}`): Omit<LiveMessage, 'size'> {
  return { queue, id, sentAt: 1_700_000_000_000, entry: { MessageBody: body }, receives: 0 };
}

const line = (record: unknown): string => `${JSON.stringify(record)}\n`;
const send = (id: string, q = 'q'): string => line({ t: 'send', q, id, at: 1, m: { MessageBody: id } });

describe('replayJournal', () => {
  it('returns the messages sent and not deleted, in the order they were sent, with their receive counts', () => {
    const text = [
      send('a'),
      send('b'),
      send('c', 'dlq'),
      line({ t: 'recv', q: 'q', ids: ['a', 'b'] }),
      line({ t: 'recv', q: 'q', ids: ['b'] }),
      line({ t: 'del', q: 'q', ids: ['a'] }),
      send('d'),
    ].join('');

    const { messages, tornTail, unreadable } = replayJournal(text);

    expect(messages.map((m) => [m.queue, m.id, m.entry.MessageBody, m.receives])).toEqual([
      ['q', 'b', 'b', 2],
      ['q', 'd', 'd', 0],
      ['dlq', 'c', 'c', 0],
    ]);
    expect({ tornTail, unreadable }).toEqual({ tornTail: false, unreadable: 0 });
  });

  it('ignores a last line cut short by a crash and keeps every complete line before it', () => {
    const whole = send('a') + send('b');
    const torn = send('c').slice(0, 20);

    const { messages, tornTail } = replayJournal(whole + torn);

    expect(messages.map((m) => m.id)).toEqual(['a', 'b']);
    expect(tornTail).toBe(true);
  });

  it('skips and counts complete lines that are not records', () => {
    const { messages, unreadable } = replayJournal(send('a') + '{"t":"send"\n' + 'garbage\n' + send('b'));

    expect(messages.map((m) => m.id)).toEqual(['a', 'b']);
    expect(unreadable).toBe(2);
  });

  it('drops what a purge finds in its queue and keeps later sends and other queues', () => {
    const text = send('a') + send('x', 'other') + line({ t: 'purge', q: 'q' }) + send('b');

    expect(replayJournal(text).messages.map((m) => m.id)).toEqual(['b', 'x']);
  });

  it('ignores deletes and receives of messages it does not hold', () => {
    const text = line({ t: 'del', q: 'q', ids: ['nope'] }) + line({ t: 'recv', q: 'q', ids: ['nope'] }) + send('a');

    expect(replayJournal(text).messages.map((m) => [m.id, m.receives])).toEqual([['a', 0]]);
  });
});

describe('QueueJournal', () => {
  it('recovers what the last run journaled and writes the next run to a new file until commit', () => {
    const dir = tempDir();
    const first = QueueJournal.open(dir).journal;
    first.sent([message('a'), message('b')]);
    first.received('q', ['a']);
    first.deleted('q', ['b']);
    first.commit();
    // No close(): the process died here.

    const { journal, recovered } = QueueJournal.open(dir);
    expect(recovered.messages.map((m) => [m.id, m.receives])).toEqual([['a', 1]]);
    // A crash before commit leaves the old journal whole.
    expect(replayJournal(readFileSync(join(dir, 'journal'), 'utf8')).messages.map((m) => m.id)).toEqual(['a']);

    journal.sent([{ ...message('a2'), receives: 1 }]);
    journal.commit();
    expect(replayJournal(readFileSync(join(dir, 'journal'), 'utf8')).messages.map((m) => [m.id, m.receives])).toEqual([['a2', 1]]);
    journal.close();
  });

  it('keeps the journal private to its owner (0600)', () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir);
    journal.commit();
    journal.close();

    expect(statSync(join(dir, 'journal')).mode & 0o777).toBe(0o600);
  });

  it('rewrites the file with only the live messages once most of it is dead, keeping their receive counts', () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir, { compactAtBytes: 4096 });
    journal.commit();
    const ids = Array.from({ length: 200 }, (_, i) => `m${i}`);
    for (const id of ids) journal.sent([message(id, 'q', 'x'.repeat(100))]);
    journal.received('q', ['m199']);
    for (const id of ids.slice(0, 190)) journal.deleted('q', [id]);

    const text = readFileSync(join(dir, 'journal'), 'utf8');
    const replayed = replayJournal(text).messages;
    expect(replayed.map((m) => m.id)).toEqual(ids.slice(190));
    expect(replayed.find((m) => m.id === 'm199')?.receives).toBe(1);
    // 200 sends of about 170 bytes and 190 deletes were written; far less is left.
    expect(Buffer.byteLength(text)).toBeLessThan(4096);
    expect(journal.liveMessages('q')).toHaveLength(10);

    // Appends after a compaction land in the new file.
    journal.deleted('q', ['m190']);
    journal.close();
    expect(replayJournal(readFileSync(join(dir, 'journal'), 'utf8')).messages).toHaveLength(9);
  });

  it('does not compact while most of the file is live', () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir, { compactAtBytes: 1024 });
    journal.commit();
    for (let i = 0; i < 50; i++) journal.sent([message(`m${i}`, 'q', 'x'.repeat(100))]);
    journal.deleted('q', ['m0']);
    journal.close();

    const text = readFileSync(join(dir, 'journal'), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(51);
  });

  it('refuses to write once closed', () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir);
    journal.close();

    expect(() => journal.sent([message('late')])).toThrow('closed');
  });

  it('reads a journal that ends in a torn line from a crash, and the next commit leaves it whole', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'journal'), send('a') + send('b').slice(0, 12));

    const { journal, recovered } = QueueJournal.open(dir);
    journal.sent(recovered.messages);
    journal.commit();
    journal.close();

    expect(recovered.tornTail).toBe(true);
    expect(readFileSync(join(dir, 'journal'), 'utf8')).toBe(send('a'));
  });
});

describe('QueueJournal: queues drained to files by a stack without a journal', () => {
  it('takes their messages over with attributes and receive counts, and removes the files at commit', () => {
    const dir = tempDir();
    const attributes = { topic: { DataType: 'String', StringValue: 'orders/create' } };
    writeFileSync(
      join(dir, 'huitou-ingest.json'),
      JSON.stringify({
        version: 1,
        queueName: 'huitou-ingest',
        savedAt: '2026-01-02T03:04:05.000Z',
        messages: [{ messageId: 'old-1', body: '{"order":1}', messageAttributes: attributes, receiveCount: 2 }],
      }),
    );

    const { journal, recovered } = QueueJournal.open(dir);
    expect(recovered.messages).toMatchObject([
      {
        queue: 'huitou-ingest',
        sentAt: Date.parse('2026-01-02T03:04:05.000Z'),
        entry: { MessageBody: '{"order":1}', MessageAttributes: attributes },
        receives: 2,
      },
    ]);
    journal.sent(recovered.messages);
    journal.commit();
    journal.close();

    expect(existsSync(join(dir, 'huitou-ingest.json'))).toBe(false);
    expect(replayJournal(readFileSync(join(dir, 'journal'), 'utf8')).messages.map((m) => [m.id, m.receives])).toEqual([['old-1', 2]]);
  });
});
