import { describe, expect, it } from 'vitest';
import type { MessageRecord, StatDeltas, SuppressionReason } from '../../functions/app/campaign-ports';
import {
  applySesEvent,
  MessageNotRecordedError,
  unknownMessageGraceMs,
  type SesFeedbackPorts,
} from '../../functions/app/ses-feedback';
import { sesEventSchema, type SoftBounce } from '../../functions/domain/campaigns/ses-events';
import { ConflictError } from '../../functions/shared/errors';
import { bounce, sesEvent } from '../support/ses-events';

const now = new Date('2026-03-01T10:01:00.000Z');

/** In-memory message records, counters and suppressions, with the same once-per-key and status conditions. */
function memoryPorts(records: MessageRecord[] = [record()]) {
  const messages = new Map(records.map((r) => [r.messageId, structuredClone(r)]));
  const counters: Record<string, Record<string, number>> = {};
  const suppressed = new Map<string, { reason: SuppressionReason; at: string }>();
  const softBounces = new Map<string, SoftBounce[]>();
  const calls: string[] = [];
  /** Runs before recordEvent writes: a concurrent writer. */
  let interfere: ((r: MessageRecord) => void) | undefined;
  const ports: SesFeedbackPorts = {
    messages: {
      async get(messageId) {
        const found = messages.get(messageId);
        return found && structuredClone(found);
      },
      async recordEvent({ record: read, key, at, status, deltas }) {
        const stored = messages.get(read.messageId)!;
        interfere?.(stored);
        interfere = undefined;
        if (stored.status !== read.status || stored.events.some((e) => e.type === key)) return 'conflict';
        stored.status = status;
        stored.events.push({ type: key, at });
        const campaign = (counters[read.campaignId] ??= {});
        for (const [name, n] of Object.entries(deltas as StatDeltas)) campaign[name] = (campaign[name] ?? 0) + (n ?? 0);
        calls.push(`record:${key}`);
        return 'recorded';
      },
    },
    suppressions: {
      async suppress(email, reason, at) {
        calls.push(`suppress:${reason}`);
        if (!suppressed.has(email)) suppressed.set(email, { reason, at });
      },
      async recordSoftBounce(email, decide) {
        calls.push('softBounce');
        const decision = decide(softBounces.get(email) ?? []);
        softBounces.set(email, decision.recent);
        if (decision.suppress && !suppressed.has(email)) suppressed.set(email, { reason: 'soft_bounces', at: decision.recent.at(-1)!.at });
        return { count: decision.count, suppressed: decision.suppress };
      },
    },
  };
  return {
    ports,
    messages,
    counters,
    suppressed,
    softBounces,
    calls,
    interfereOnce: (fn: (r: MessageRecord) => void) => {
      interfere = fn;
    },
  };
}

function record(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId: 'm1',
    campaignId: 'cmp_1',
    customerId: 'cus_1',
    email: 'ada@example.com',
    sentAt: '2026-03-01T10:00:00.000Z',
    status: 'sent',
    events: [],
    ...overrides,
  };
}

const event = (type: string, extra: Record<string, unknown> = {}, messageId = 'm1', sentAt?: string) =>
  sesEventSchema.parse(sesEvent(type, messageId, extra, sentAt ? { sentAt } : {}));

describe('Use case: applySesEvent', () => {
  it('records a delivery: status, event and the delivered counter', async () => {
    const memory = memoryPorts();
    const outcome = await applySesEvent(memory.ports, event('Delivery', { delivery: { timestamp: '2026-03-01T10:00:02Z' } }), now);
    expect(outcome).toEqual({ outcome: 'recorded', messageId: 'm1', campaignId: 'cmp_1', key: 'Delivery', status: 'delivered' });
    expect(memory.messages.get('m1')).toMatchObject({ status: 'delivered', events: [{ type: 'Delivery', at: '2026-03-01T10:00:02Z' }] });
    expect(memory.counters).toEqual({ cmp_1: { delivered: 1 } });
    expect(memory.suppressed.size).toBe(0);
  });

  it('counts a repeated event once and answers repeat', async () => {
    const memory = memoryPorts();
    const open = event('Open');
    await applySesEvent(memory.ports, open, now);
    expect(await applySesEvent(memory.ports, open, now)).toEqual({ outcome: 'repeat', messageId: 'm1', key: 'Open' });
    expect(memory.counters).toEqual({ cmp_1: { opened: 1 } });
    expect(memory.messages.get('m1')?.events).toHaveLength(1);
  });

  it('suppresses the address before it records a hard bounce, and counts it bounced', async () => {
    const memory = memoryPorts();
    await applySesEvent(memory.ports, event('Bounce', bounce('Permanent')), now);
    expect(memory.calls).toEqual(['suppress:hard_bounce', 'record:Bounce']);
    expect(memory.suppressed.get('ada@example.com')).toEqual({ reason: 'hard_bounce', at: '2026-03-01T10:00:05.000Z' });
    expect(memory.messages.get('m1')?.status).toBe('bounced');
    expect(memory.counters).toEqual({ cmp_1: { bounced: 1 } });
  });

  it('suppresses on a complaint, after a delivery, whatever order they come in', async () => {
    for (const order of [['Delivery', 'Complaint'], ['Complaint', 'Delivery']]) {
      const memory = memoryPorts();
      for (const type of order) await applySesEvent(memory.ports, event(type, type === 'Complaint' ? { complaint: { timestamp: '2026-03-01T10:00:09Z' } } : {}), now);
      expect(memory.messages.get('m1')?.status).toBe('complained');
      expect(memory.counters).toEqual({ cmp_1: { delivered: 1, complained: 1 } });
      expect(memory.suppressed.get('ada@example.com')?.reason).toBe('complaint');
    }
  });

  it('counts soft bounces of one address across messages and suppresses at the third', async () => {
    const memory = memoryPorts(['m1', 'm2', 'm3'].map((messageId) => record({ messageId })));
    for (const messageId of ['m1', 'm2']) await applySesEvent(memory.ports, event('Bounce', bounce('Transient'), messageId), now);
    expect(memory.suppressed.size).toBe(0);
    expect(memory.messages.get('m1')?.status).toBe('soft_bounced');
    await applySesEvent(memory.ports, event('Bounce', bounce('Transient'), 'm3'), now);
    expect(memory.suppressed.get('ada@example.com')?.reason).toBe('soft_bounces');
    expect(memory.softBounces.get('ada@example.com')).toHaveLength(3);
    // A soft bounce is no hard bounce: the bounced counter stays.
    expect(memory.counters).toEqual({ cmp_1: {} });
  });

  it('does not count a soft bounce of the same message twice, even when the first attempt stopped before recording', async () => {
    const memory = memoryPorts();
    const transient = event('Bounce', bounce('Transient'));
    // A crash after the soft bounce was kept and before the event was recorded, then the retry.
    await memory.ports.suppressions.recordSoftBounce('ada@example.com', (recent) => ({
      recent: [...recent, { messageId: 'm1', at: '2026-03-01T10:00:05.000Z' }],
      count: recent.length + 1,
      suppress: false,
    }));
    await applySesEvent(memory.ports, transient, now);
    expect(memory.softBounces.get('ada@example.com')).toEqual([{ messageId: 'm1', at: '2026-03-01T10:00:05.000Z' }]);
  });

  it('reads the record again when another event moved it first, and keeps the later status', async () => {
    const memory = memoryPorts();
    memory.interfereOnce((stored) => {
      stored.status = 'clicked';
      stored.events.push({ type: 'Click', at: '2026-03-01T10:00:30Z' });
    });
    const outcome = await applySesEvent(memory.ports, event('Delivery'), now);
    expect(outcome).toMatchObject({ outcome: 'recorded', status: 'clicked' });
    expect(memory.messages.get('m1')?.events.map((e) => e.type)).toEqual(['Click', 'Delivery']);
    expect(memory.counters).toEqual({ cmp_1: { delivered: 1 } });
  });

  it('answers repeat when a concurrent delivery of the same event recorded it first', async () => {
    const memory = memoryPorts();
    memory.interfereOnce((stored) => {
      stored.status = 'opened';
      stored.events.push({ type: 'Open', at: stored.sentAt });
    });
    expect(await applySesEvent(memory.ports, event('Open'), now)).toEqual({ outcome: 'repeat', messageId: 'm1', key: 'Open' });
    expect(memory.counters).toEqual({});
  });

  it('gives up with a ConflictError after five conflicting attempts, counting nothing', async () => {
    const memory = memoryPorts();
    let attempts = 0;
    memory.ports.messages.recordEvent = async () => {
      attempts++;
      return 'conflict';
    };
    await expect(applySesEvent(memory.ports, event('Delivery'), now)).rejects.toThrow(new ConflictError('message m1 kept changing; the event is retried'));
    expect(attempts).toBe(5);
  });

  it('retries an event of a young unknown message and drops one older than the grace period', async () => {
    const memory = memoryPorts([]);
    const young = event('Send', {}, 'mx', new Date(now.getTime() - unknownMessageGraceMs + 1).toISOString());
    await expect(applySesEvent(memory.ports, young, now)).rejects.toThrow(new MessageNotRecordedError('message mx is not recorded yet'));
    const old = event('Send', {}, 'mx', new Date(now.getTime() - unknownMessageGraceMs).toISOString());
    expect(await applySesEvent(memory.ports, old, now)).toEqual({ outcome: 'unknown_message', messageId: 'mx' });
    expect(memory.calls).toEqual([]);
  });

  it('records an event without status or counter, leaving the status', async () => {
    const memory = memoryPorts([record({ status: 'delivered' })]);
    expect(await applySesEvent(memory.ports, event('DeliveryDelay'), now)).toMatchObject({ outcome: 'recorded', status: 'delivered' });
    expect(memory.counters).toEqual({ cmp_1: {} });
  });
});
