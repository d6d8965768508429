import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { QuarantineEntry, StoredQuarantineEntry } from '../../functions/domain/quarantine';
import { replayQuarantined, type DeliveryQueue, type QuarantineRepository } from '../../functions/app/quarantine-replay';
import { ingestMessageSchema, type IngestMessage } from '../../functions/shared/schemas';
import { ConflictError, NotFoundError } from '../../functions/shared/errors';

const bodyGzip = gzipSync(Buffer.from('{"id":1')).toString('base64');

const entry = (overrides: Partial<StoredQuarantineEntry> = {}): StoredQuarantineEntry => ({
  id: 'q_0a',
  channelId: 'ch_1',
  platform: 'shopify',
  topic: 'orders/create',
  deliveryId: 'd1',
  eventId: 'e1',
  receivedAt: '2026-01-01T00:00:00.000Z',
  reason: 'schema',
  issues: [],
  status: 'open',
  updatedAt: '2026-01-01T00:00:00.000Z',
  bodyGzip,
  ...overrides,
});

function ports(stored: StoredQuarantineEntry | undefined, steps: string[] = []) {
  const sent: IngestMessage[] = [];
  const statuses: QuarantineEntry['status'][] = [];
  const quarantine: QuarantineRepository = {
    get: async (id) => (stored?.id === id ? stored : undefined),
    setStatus: async (_id, status) => {
      steps.push('status');
      statuses.push(status);
    },
  };
  const queue: DeliveryQueue = {
    enqueue: async (message) => {
      steps.push('enqueue');
      sent.push(message);
    },
  };
  return { ports: { quarantine, queue }, sent, statuses };
}

describe('replayQuarantined', () => {
  it('queues the delivery with its original bytes as a replay of the entry, then marks it requeued', async () => {
    const steps: string[] = [];
    const { ports: p, sent, statuses } = ports(entry(), steps);

    const result = await replayQuarantined(p, 'q_0a');

    expect(result).toEqual({ id: 'q_0a', status: 'requeued' });
    expect(sent).toEqual([
      { v: 1, channelId: 'ch_1', platform: 'shopify', topic: 'orders/create', deliveryId: 'd1', eventId: 'e1', receivedAt: '2026-01-01T00:00:00.000Z', bodyGzip, replayOf: 'q_0a' },
    ]);
    expect(ingestMessageSchema.parse(sent[0])).toEqual(sent[0]);
    expect(statuses).toEqual(['requeued']);
    expect(steps).toEqual(['enqueue', 'status']);
  });

  it('throws ConflictError for an entry whose body a privacy request erased, and queues nothing', async () => {
    const { ports: p, sent, statuses } = ports(entry({ bodyGzip: undefined, status: 'redacted' }));

    await expect(replayQuarantined(p, 'q_0a')).rejects.toThrow(ConflictError);
    expect(sent).toEqual([]);
    expect(statuses).toEqual([]);
  });

  it('throws NotFoundError for an unknown entry', async () => {
    await expect(replayQuarantined(ports(undefined).ports, 'q_0b')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('leaves the entry as it was when the queue refuses the message', async () => {
    const { ports: p, statuses } = ports(entry());
    const refusing = { ...p, queue: { enqueue: async () => Promise.reject(new Error('queue down')) } };

    await expect(replayQuarantined(refusing, 'q_0a')).rejects.toThrow('queue down');
    expect(statuses).toEqual([]);
  });
});
