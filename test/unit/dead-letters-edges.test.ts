import { afterEach, describe, expect, it, vi } from 'vitest';
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
import { logger } from '../../functions/shared/observability';

class MemoryFailures implements FailureStore {
  readonly reports: FailureReport[] = [];
  async recordFailure(failure: FailureReport): Promise<void> {
    this.reports.push(failure);
  }
  async forget(): Promise<void> {}
}

const options = { queue: 'ingest' as const, maxReceiveCount: 5, now: () => '2026-01-01T00:00:00.000Z' };
const body = JSON.stringify({ v: 1, channelId: 'ch_1', deliveryId: 'd1', payload: { email: 'ada@example.com' } });
const fail = (error: unknown) => async () => {
  throw error;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('attemptDelivery, what a failure leaves in the log', () => {
  it('logs a failure that will be retried with its reason and ids, and nothing of the body', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);

    await expect(
      attemptDelivery(new MemoryFailures(), { messageId: 'm1', body, receiveCount: 2 }, options, fail(new TypeError('boom'))),
    ).rejects.toThrow('boom');

    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors).toHaveBeenCalledWith('delivery failed; it will be retried', {
      queue: 'ingest',
      messageId: 'm1',
      channelId: 'ch_1',
      deliveryId: 'd1',
      receiveCount: 2,
      reason: 'TypeError: boom',
    });
    expect(JSON.stringify(errors.mock.calls)).not.toContain('ada@example.com');
  });

  it('says so in the log when this was the last try before the dead-letter queue', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);

    await expect(
      attemptDelivery(new MemoryFailures(), { messageId: 'm1', body, receiveCount: 5 }, options, fail(new Error('x'))),
    ).rejects.toThrow();

    expect(errors).toHaveBeenCalledWith(
      'delivery failed for the last time; it moves to the dead-letter queue',
      expect.objectContaining({ receiveCount: 5, reason: 'Error: x' }),
    );
  });

  it('logs why a failure could not be recorded, and still rethrows the delivery\'s own error', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const failures = new MemoryFailures();
    failures.recordFailure = fail(new Error('table down'));

    await expect(attemptDelivery(failures, { messageId: 'm7', body, receiveCount: 1 }, options, fail(new Error('cause')))).rejects.toThrow(
      'cause',
    );

    expect(errors).toHaveBeenLastCalledWith('could not record a delivery failure', { messageId: 'm7', reason: 'Error: table down' });
  });

  it('takes ids that are not strings for no ids at all', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const failures = new MemoryFailures();

    await expect(
      attemptDelivery(failures, { messageId: 'm3', body: JSON.stringify({ channelId: 5, deliveryId: 'd1' }), receiveCount: 1 }, options, fail(new Error('x'))),
    ).rejects.toThrow();

    expect(failures.reports[0]).toMatchObject({ id: 'dl_msg_m3', channelId: null, deliveryId: 'd1' });
  });
});

describe('failureReason at its limit', () => {
  it('keeps a reason of exactly the longest length whole', () => {
    const error = new Error('x'.repeat(maxReasonLength - 'Error: '.length));

    expect(failureReason(error)).toBe(`Error: ${error.message}`);
    expect(failureReason(error)).toHaveLength(maxReasonLength);
  });
});

describe('deliveryFailureId', () => {
  it('is dl_ and 24 hex digits', () => {
    expect(deliveryFailureId('ch_1', 'd1')).toMatch(/^dl_[0-9a-f]{24}$/);
  });

  it('keeps the channel and the delivery apart, so no two pairs run together', () => {
    expect(deliveryFailureId('ch_1', 'd1x')).not.toBe(deliveryFailureId('ch_1d', '1x'));
  });

  it('names no failure for a body that names a delivery but no channel', () => {
    expect(failureIdOfMessage(JSON.stringify({ deliveryId: 'd1' }))).toBeUndefined();
  });
});

describe('redriveDeadLetters at its deadline', () => {
  it('takes nothing once the deadline is reached, and says more may be left', async () => {
    let takes = 0;
    const queue: DeadLetterQueue = {
      take: async (): Promise<DeadMessage[]> => {
        takes += 1;
        return [];
      },
      sendBack: async () => undefined,
      remove: async () => undefined,
    };

    const result = await redriveDeadLetters({ queue, failures: new MemoryFailures(), now: () => 100 }, { deadlineMs: 100 });

    expect(result).toEqual({ redriven: 0, more: true });
    expect(takes).toBe(0);
  });
});
