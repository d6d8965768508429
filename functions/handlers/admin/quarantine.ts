// Quarantine: signed deliveries that could not be used, listed for staff,
// shown with their body, and replayed after a fix.
import { enqueueDelivery, gunzipBase64 } from '../../adapters/ingest-queue';
import { entryView, getQuarantine, listQuarantine, setQuarantineStatus } from '../../adapters/quarantine-store';
import { replayQuarantined, type DeliveryQueue, type QuarantineRepository } from '../../app/quarantine-replay';
import { NotFoundError } from '../../shared/errors';
import { json } from '../../shared/http';
import { limitOf, query, type RouteTable, type ServedRouteKey } from './router';

export function quarantineRoutes({ tableName, ingestQueueUrl }: { tableName: string; ingestQueueUrl: string }) {
  const quarantine: QuarantineRepository = {
    get: (id) => getQuarantine(tableName, id),
    setStatus: (id, status) => setQuarantineStatus(tableName, id, status),
  };
  const queue: DeliveryQueue = { enqueue: (message) => enqueueDelivery(ingestQueueUrl, message) };
  return {
    'GET /admin/quarantine': {
      right: 'read',
      run: async ({ event }) => {
        const page = await listQuarantine(tableName, { cursor: query(event, 'cursor'), limit: limitOf(event) });
        return json(200, { items: page.items.map(entryView), nextCursor: page.nextCursor });
      },
    },
    'GET /admin/quarantine/{quarantineId}': {
      right: 'read',
      ids: { quarantineId: 'quarantine' },
      run: async ({ params: { quarantineId } }) => {
        const entry = await quarantine.get(quarantineId);
        if (!entry) throw new NotFoundError(`no quarantine entry ${quarantineId}`);
        const body = entry.bodyGzip ? gunzipBase64(entry.bodyGzip).toString('utf8') : null;
        return json(200, { ...entryView(entry), body });
      },
    },
    'POST /admin/quarantine/{quarantineId}/replay': {
      right: 'manage',
      ids: { quarantineId: 'quarantine' },
      run: async ({ params: { quarantineId } }) => json(202, await replayQuarantined({ quarantine, queue }, quarantineId)),
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
