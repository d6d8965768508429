// Schemas of what huitou passes between its own functions.
import * as z from 'zod';
import { platforms } from '../domain/model';

/** One verified webhook delivery on the ingest queue. */
export const ingestMessageSchema = z
  .object({
    v: z.literal(1),
    channelId: z.string().min(1),
    platform: z.enum(platforms),
    /** Empty when the topic is inside the body (BigCommerce scope, Standard Webhooks type). */
    topic: z.string(),
    deliveryId: z.string().min(1),
    eventId: z.string().optional(),
    receivedAt: z.string(),
    /** The raw body exactly as received: gzip, then base64. Absent when it would not fit in the message. */
    bodyGzip: z.string().optional(),
    /** The inbox item that holds the body (gzipped) when it would not fit in the message. */
    inboxId: z.string().min(1).optional(),
    /** Set when staff replay a quarantined delivery; without bodyGzip, the body is the entry's. */
    replayOf: z.string().optional(),
  })
  .refine((message) => message.bodyGzip !== undefined || message.inboxId !== undefined || message.replayOf !== undefined, {
    message: 'a delivery carries its body, an inbox id or the quarantine entry it replays',
    path: ['bodyGzip'],
  });

export type IngestMessage = z.infer<typeof ingestMessageSchema>;
