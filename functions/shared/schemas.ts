// Schemas of what huitou passes between its own functions.
import * as z from 'zod';
import { platforms } from '../domain/model';

/** One verified webhook delivery on the ingest queue. */
export const ingestMessageSchema = z.object({
  v: z.literal(1),
  channelId: z.string().min(1),
  platform: z.enum(platforms),
  /** Empty when the topic is inside the body (BigCommerce scope, Standard Webhooks type). */
  topic: z.string(),
  deliveryId: z.string().min(1),
  eventId: z.string().optional(),
  receivedAt: z.string(),
  /** The raw body exactly as received: gzip, then base64. */
  bodyGzip: z.string(),
  /** Set when staff replay a quarantined delivery. */
  replayOf: z.string().optional(),
});

export type IngestMessage = z.infer<typeof ingestMessageSchema>;
