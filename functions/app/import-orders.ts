// The history import use case: a batch of rows from an order export becomes
// orders, customers and figures through the same path as a webhook's order
// (recordOrderChange), so identity, dedupe and the version rules are the
// webhooks' own. Importing a batch again changes nothing: every order comes
// back 'unchanged' and counts as a duplicate.
import pLimit from 'p-limit';
import type { Channel } from '../domain/channels';
import {
  mapImportRows,
  type ImportFormat,
  type ImportRow,
  type ImportedOrder,
  type RowRejection,
} from '../domain/import/index';
import type { NormalizedOrder } from '../domain/model';
import type { CustomerRepository, DeliveryRef } from '../domain/ports';
import { ConflictError, NotFoundError } from '../shared/errors';
import { realBackoff, recordOrderChange, type Backoff } from './record-events';

export interface ImportPorts {
  channels: { get(channelId: string): Promise<Pick<Channel, 'id' | 'platform' | 'status' | 'currency'> | undefined> };
  customers: CustomerRepository;
  now(): Date;
}

export interface ImportBatch {
  channelId: string;
  format: ImportFormat;
  rows: ImportRow[];
}

export interface ImportSummary {
  /** Orders created or changed. */
  imported: number;
  /** Orders huitou already held as the file has them. */
  duplicates: number;
  /** By line, in file order. */
  rejected: RowRejection[];
  /** First lines of the orders left for another request: the time budget ran out before they started. */
  unfinished: number[];
}

/**
 * Orders recorded at once. Each is a handful of reads and one transaction;
 * two orders of one customer racing is safe (optimistic writes retry).
 */
export const importConcurrency = 8;

/** Where an imported order came from: one id per order, so a re-import is the same delivery. */
export function importDelivery(channelId: string, orderId: string, receivedAt: string): DeliveryRef {
  return { deliveryId: `import:${channelId}:${orderId}`, topic: 'import', receivedAt };
}

/**
 * The mapped orders in lanes, one per customer as the file names them: a
 * lane's orders are recorded one after another. An export lists a customer's
 * orders together (CDNOW: dozens in a row), and recorded at once they would
 * race for one profile until the optimistic retries ran out.
 */
export function customerLanes<T extends { order?: NormalizedOrder | undefined }>(
  mapped: readonly T[],
): (T & { order: NormalizedOrder })[][] {
  const lanes = new Map<string, (T & { order: NormalizedOrder })[]>();
  for (const entry of mapped) {
    const { order } = entry;
    if (order === undefined) continue;
    const { channelCustomerId, email, phone } = order.customer;
    const key =
      channelCustomerId !== undefined
        ? `id:${channelCustomerId}`
        : email !== undefined
          ? `email:${email}`
          : `phone:${phone}`;
    const lane = lanes.get(key) ?? [];
    lane.push({ ...entry, order });
    lanes.set(key, lane);
  }
  return [...lanes.values()];
}

export async function importOrders(
  ports: ImportPorts,
  batch: ImportBatch,
  options: { concurrency?: number; backoff?: Backoff; budgetMs?: number } = {},
): Promise<ImportSummary> {
  const { channelId, format, rows } = batch;
  const channel = await ports.channels.get(channelId);
  if (!channel) throw new NotFoundError(`no channel ${channelId}`);
  if (channel.status !== 'active') throw new ConflictError(`channel ${channelId} was redacted`);
  const started = ports.now();
  const now = started.toISOString();
  // An order started is finished; one not started by then is answered as unfinished, for the caller to send again.
  const deadline = started.getTime() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  const mapped = mapImportRows(format, rows, { channelId, platform: channel.platform, currency: channel.currency });

  const summary: ImportSummary = {
    imported: 0,
    duplicates: 0,
    rejected: mapped.flatMap((m) => m.rejected),
    unfinished: [],
  };
  const record = async (entry: ImportedOrder & { order: NormalizedOrder }) => {
    const { order } = entry;
    const outcome = await recordOrderChange(
      ports.customers,
      {
        platform: channel.platform,
        change: { kind: 'order', order },
        delivery: importDelivery(channelId, order.orderId, now),
        raw: Buffer.from(JSON.stringify(entry.rows)),
        now,
      },
      options.backoff ?? realBackoff,
    );
    if (outcome === 'unchanged') summary.duplicates += 1;
    else if (typeof outcome === 'string') summary.imported += 1;
    else summary.rejected.push({ line: entry.line, reason: `${outcome.reason}: ${outcome.issues.join('; ')}` });
  };
  const limit = pLimit(options.concurrency ?? importConcurrency);
  await Promise.all(
    customerLanes(mapped).map((lane) =>
      limit(async () => {
        for (const entry of lane) {
          if (ports.now().getTime() < deadline) await record(entry);
          else summary.unfinished.push(entry.line);
        }
      }),
    ),
  );
  summary.rejected.sort((a, b) => a.line - b.line);
  summary.unfinished.sort((a, b) => a - b);
  return summary;
}
