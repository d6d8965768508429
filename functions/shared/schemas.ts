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

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Start of a rescore (phase 1): from the schedule, without a job, or from the admin API with one. */
export const rescoreMessageSchema = z.object({
  jobId: z.string().min(1).max(64).optional(),
  asOf: day.optional(),
  trigger: z.enum(['schedule', 'api']),
});

const segmentTotalsSchema = z.object({
  customers: z.number().nonnegative(),
  netMinor: z.number(),
  clvSum: z.number(),
  pAliveSum: z.number(),
  predicted: z.number().nonnegative(),
});

/** One shard of a rescore's phase 2, from a cursor when the run before handed on. */
export const scoringTaskSchema = z.object({
  jobId: z.string().min(1).max(64),
  shard: z.string().min(1).max(64),
  asOf: day,
  cursor: z.string().max(4096).optional(),
  partial: z
    .object({ customers: z.number(), changed: z.number(), segments: z.record(z.string(), segmentTotalsSchema) })
    .optional(),
});
