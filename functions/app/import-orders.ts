// The history import use case: a batch of rows from an order export becomes
// orders, customers and figures through the same path as a webhook's order
// (recordOrderChange), so identity, dedupe and the version rules are the
// webhooks' own. Importing a batch again changes nothing: every order comes
// back 'unchanged' and counts as a duplicate.
import pLimit from 'p-limit';
import type { Channel } from '../domain/channels';
import { mapImportRows, type ImportFormat, type ImportRow, type RowRejection } from '../domain/import/index';
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

export async function importOrders(
  ports: ImportPorts,
  batch: ImportBatch,
  options: { concurrency?: number; backoff?: Backoff } = {},
): Promise<ImportSummary> {
  const { channelId, format, rows } = batch;
  const channel = await ports.channels.get(channelId);
  if (!channel) throw new NotFoundError(`no channel ${channelId}`);
  if (channel.status !== 'active') throw new ConflictError(`channel ${channelId} was redacted`);
  const now = ports.now().toISOString();
  const mapped = mapImportRows(format, rows, { channelId, platform: channel.platform, currency: channel.currency });

  const summary: ImportSummary = { imported: 0, duplicates: 0, rejected: mapped.flatMap((m) => m.rejected) };
  const limit = pLimit(options.concurrency ?? importConcurrency);
  await Promise.all(
    mapped.map((entry) => {
      const { order } = entry;
      if (order === undefined) return undefined;
      return limit(async () => {
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
      });
    }),
  );
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
}
