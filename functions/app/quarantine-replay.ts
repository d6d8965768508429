// Replaying a quarantined delivery once its cause is fixed (a schema change,
// a store API back up): the delivery goes on the ingest queue again as it
// first arrived, marked as a replay of its entry, and the processor marks the
// entry resolved when it goes through.
import type { QuarantineEntry, StoredQuarantineEntry } from '../domain/quarantine';
import type { IngestMessage } from '../shared/schemas';
import { ConflictError, NotFoundError } from '../shared/errors';

export interface QuarantineRepository {
  get(id: string): Promise<StoredQuarantineEntry | undefined>;
  setStatus(id: string, status: QuarantineEntry['status']): Promise<void>;
}

export interface DeliveryQueue {
  enqueue(message: IngestMessage): Promise<void>;
}

/** The queued message of a replay: the delivery as received, with its original bytes. */
export function replayMessage(entry: StoredQuarantineEntry & { bodyGzip: string }): IngestMessage {
  return {
    v: 1,
    channelId: entry.channelId,
    platform: entry.platform,
    topic: entry.topic,
    deliveryId: entry.deliveryId,
    eventId: entry.eventId,
    receivedAt: entry.receivedAt,
    bodyGzip: entry.bodyGzip,
    replayOf: entry.id,
  };
}

/**
 * Queues the entry's delivery again and marks it requeued. Queued before the
 * status is set: a crash between the two leaves an entry that looks open but
 * was replayed, which a second replay absorbs (ingest is idempotent); the
 * other order could leave an entry marked requeued that never was.
 */
export async function replayQuarantined(
  ports: { quarantine: QuarantineRepository; queue: DeliveryQueue },
  id: string,
): Promise<{ id: string; status: 'requeued' }> {
  const entry = await ports.quarantine.get(id);
  if (!entry) throw new NotFoundError(`no quarantine entry ${id}`);
  const { bodyGzip } = entry;
  if (!bodyGzip) throw new ConflictError(`entry ${id} has no body left to replay (${entry.status})`);
  await ports.queue.enqueue(replayMessage({ ...entry, bodyGzip }));
  await ports.quarantine.setStatus(id, 'requeued');
  return { id, status: 'requeued' };
}
