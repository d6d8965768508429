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

/** One send of one campaign occurrence to one customer, on the sends queue (functions/app/send-campaign.ts). */
export const sendTaskSchema = z.object({
  campaignId: z.string().min(1).max(64),
  customerId: z.string().min(1).max(64),
  /** `once`, or what makes this occurrence distinct for a campaign that repeats. */
  occurrence: z.string().min(1).max(128),
  /** What asked for the send (event id, run job and shard): a new trigger may retry a send that was dropped. */
  triggerId: z.string().min(1).max(200),
});

/**
 * Work of the matcher on the campaign-runs queue: the periodic tick, and one
 * shard of a run of one campaign (from a cursor when the run before handed on).
 */
export const campaignRunMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tick') }),
  z.object({
    kind: z.literal('shard'),
    jobId: z.string().min(1).max(64),
    campaignId: z.string().min(1).max(64),
    occurrence: z.string().min(1).max(128),
    byDays: z.boolean().optional(),
    shard: z.string().min(1).max(64),
    cursor: z.string().max(4096).optional(),
    queued: z.number().int().nonnegative().optional(),
    customers: z.number().int().nonnegative().optional(),
  }),
]);
export type CampaignRunMessage = z.infer<typeof campaignRunMessageSchema>;

/** A segment or stage transition on the customer-events queue (functions/app/rescore.ts CustomerEvent). */
export const customerEventSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['customer.segment_changed', 'customer.stage_changed']),
  customerId: z.string().min(1).max(64),
  from: z.string().nullable(),
  to: z.string().nullable(),
  at: z.string(),
  asOf: z.string(),
});

/** What the matcher consumes: customer events, and its own campaign-run work. */
export const matcherMessageSchema = z.union([customerEventSchema, campaignRunMessageSchema]);
