import { describe, expect, it } from 'vitest';
import {
  attemptDelivery,
  deliveryFailureId,
  failureIdOfMessage,
  failureReason,
  maxReasonLength,
  redriveDeadLetters,
  type DeadLetterQueue,
  type DeadMessage,
  type FailureReport,
  type FailureStore,
} from '../../functions/app/dead-letters';

class MemoryFailures implements FailureStore {
  readonly reports: FailureReport[] = [];
  readonly forgotten: string[] = [];
  async recordFailure(failure: FailureReport): Promise<void> {
    this.reports.push(failure);
  }
  async forget(ids: readonly string[]): Promise<void> {
    this.forgotten.push(...ids);
  }
}

class MemoryDlq implements DeadLetterQueue {
  readonly sentBack: string[] = [];
  constructor(readonly messages: DeadMessage[]) {}
  async take(): Promise<DeadMessage[]> {
    return this.messages.slice(0, 10);
  }
  async sendBack(messages: readonly DeadMessage[]): Promise<void> {
    this.sentBack.push(...messages.map((m) => m.body));
  }
  async remove(messages: readonly DeadMessage[]): Promise<void> {
    for (const message of messages) this.messages.splice(this.messages.indexOf(message), 1);
  }
}

const body = (deliveryId: string) => JSON.stringify({ v: 1, channelId: 'ch_1', deliveryId });
const options = { queue: 'ingest' as const, maxReceiveCount: 5, now: () => '2026-01-01T00:00:00.000Z' };

describe('attemptDelivery', () => {
  it('records a failure with its reason and rethrows it, so the queue retries', async () => {
    const failures = new MemoryFailures();
    const error = new TypeError('boom');
    await expect(
      attemptDelivery(failures, { messageId: 'm1', body: body('d1'), receiveCount: 2 }, options, async () => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(failures.reports).toEqual([
      {
        id: deliveryFailureId('ch_1', 'd1'),
        queue: 'ingest',
        channelId: 'ch_1',
        deliveryId: 'd1',
        receiveCount: 2,
        reason: 'TypeError: boom',
        dead: false,
        failedAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('marks the failure dead on the last receive the queue allows', async () => {
    const failures = new MemoryFailures();
    const fail = async () => {
      throw new Error('x');
    };
    await expect(attemptDelivery(failures, { messageId: 'm', body: body('d'), receiveCount: 4 }, options, fail)).rejects.toThrow();
    await expect(attemptDelivery(failures, { messageId: 'm', body: body('d'), receiveCount: 5 }, options, fail)).rejects.toThrow();
    expect(failures.reports.map((r) => r.dead)).toEqual([false, true]);
  });

  it('names a failure by its message id when the body names no delivery', async () => {
    const failures = new MemoryFailures();
    await expect(
      attemptDelivery(failures, { messageId: 'm9', body: 'not json', receiveCount: 1 }, options, async () => {
        throw new Error('bad');
      }),
    ).rejects.toThrow();
    expect(failures.reports[0]).toMatchObject({ id: 'dl_msg_m9', channelId: null, deliveryId: null });
  });

  it('forgets earlier failures once a retried delivery goes through, and writes nothing on a first success', async () => {
    const failures = new MemoryFailures();
    await attemptDelivery(failures, { messageId: 'm', body: body('d1'), receiveCount: 1 }, options, async () => undefined);
    await attemptDelivery(failures, { messageId: 'm', body: body('d2'), receiveCount: 3 }, options, async () => undefined);
    expect(failures.forgotten).toEqual([deliveryFailureId('ch_1', 'd2')]);
    expect(failures.reports).toEqual([]);
  });

  it('still rethrows the delivery error when recording the failure fails too', async () => {
    const failures = new MemoryFailures();
    failures.recordFailure = async () => {
      throw new Error('table down');
    };
    await expect(
      attemptDelivery(failures, { messageId: 'm', body: body('d'), receiveCount: 1 }, options, async () => {
        throw new Error('the real cause');
      }),
    ).rejects.toThrow('the real cause');
  });
});

describe('failureReason', () => {
  it('keeps the error name and message, and cuts a long one', () => {
    expect(failureReason(new RangeError('too far'))).toBe('RangeError: too far');
    expect(failureReason('plain')).toBe('Error: plain');
    const long = failureReason(new Error('x'.repeat(2000)));
    expect(long).toHaveLength(maxReasonLength);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('failureIdOfMessage', () => {
  it('is the same for every message of one delivery and differs between deliveries', () => {
    expect(failureIdOfMessage(body('a'))).toBe(failureIdOfMessage(JSON.stringify({ deliveryId: 'a', channelId: 'ch_1', x: 1 })));
    expect(failureIdOfMessage(body('a'))).not.toBe(failureIdOfMessage(body('b')));
    expect(failureIdOfMessage(JSON.stringify({ channelId: 'ch_1' }))).toBeUndefined();
    expect(failureIdOfMessage('{')).toBeUndefined();
  });
});

describe('redriveDeadLetters', () => {
  it('sends every dead message back, removes it from the DLQ and forgets its failure', async () => {
    const messages = Array.from({ length: 23 }, (_, i) => ({ body: body(`d${i}`), failureId: failureIdOfMessage(body(`d${i}`)) }));
    const queue = new MemoryDlq([...messages, { body: 'odd', failureId: undefined }]);
    const failures = new MemoryFailures();
    const result = await redriveDeadLetters({ queue, failures, now: () => 0 }, { deadlineMs: 1 });
    expect(result).toEqual({ redriven: 24, more: false });
    expect(queue.messages).toEqual([]);
    expect(queue.sentBack).toHaveLength(24);
    expect(failures.forgotten).toEqual(messages.map((m) => m.failureId));
  });

  it('stops at the deadline and says more are left', async () => {
    const queue = new MemoryDlq(Array.from({ length: 30 }, (_, i) => ({ body: body(`d${i}`), failureId: undefined })));
    let clock = 0;
    const result = await redriveDeadLetters(
      { queue, failures: new MemoryFailures(), now: () => (clock += 10) },
      { deadlineMs: 25 },
    );
    expect(result).toEqual({ redriven: 20, more: true });
    expect(queue.messages).toHaveLength(10);
  });

  it('removes nothing when sending back fails', async () => {
    const queue = new MemoryDlq([{ body: body('d'), failureId: undefined }]);
    queue.sendBack = async () => {
      throw new Error('queue down');
    };
    await expect(redriveDeadLetters({ queue, failures: new MemoryFailures(), now: () => 0 }, { deadlineMs: 1 })).rejects.toThrow(
      'queue down',
    );
    expect(queue.messages).toHaveLength(1);
  });
});
