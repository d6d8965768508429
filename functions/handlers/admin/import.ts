// History import: a batch of rows from an order export, sent by `huitou
// import`, recorded through the webhooks' own order path.
import * as z from 'zod';
import { getChannel } from '../../adapters/channel-store';
import { DynamoCustomerRepository } from '../../adapters/customer-store';
import { importOrders } from '../../app/import-orders';
import { importFormats, importLimits } from '../../domain/import/index';
import { httpError, json, rawBody } from '../../shared/http';
import { parseBody, type RouteTable, type ServedRouteKey } from './router';

export const importBatchSchema = z
  .object({
    format: z.enum(importFormats),
    rows: z
      .array(
        z
          .object({
            line: z.number().int().min(1),
            fields: z.record(z.string().max(1000), z.string()),
          })
          .strict(),
      )
      .max(importLimits.rowsPerBatch),
  })
  .strict();

/** What a batch may spend recording orders: it answers well within the function's timeout, leaving the rest unfinished. */
export function importRoutes({ tableName, budgetMs }: { tableName: string; budgetMs: number }) {
  const ports = {
    channels: { get: (channelId: string) => getChannel(tableName, channelId) },
    customers: new DynamoCustomerRepository(tableName),
    now: () => new Date(),
  };

  return {
    'POST /admin/channels/{channelId}/orders/import': {
      right: 'import-orders',
      ids: { channelId: 'channel' },
      run: async ({ event, params: { channelId } }) => {
        if (rawBody(event).length > importLimits.batchBytes) {
          return httpError(413, 'payload_too_large', `a batch is at most ${importLimits.batchBytes} bytes`);
        }
        const { format, rows } = parseBody(importBatchSchema, event);
        return json(200, await importOrders(ports, { channelId, format, rows }, { budgetMs }));
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
