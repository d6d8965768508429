// A campaign: who it is for (audience), what starts it (trigger), what it
// says (message), what it gives (coupon), and the guardrail settings that are
// the campaign's own (holdout, quiet hours, repeat). Pure: the admin API
// validates with these schemas, the matcher and the sender read the type.
import * as z from 'zod';
import { segments } from '../scoring/rfm';
import { stages } from '../scoring/lifecycle';
import { templateProblems } from './templates';
import { cronProblem } from './triggers';
import { isTimeZone } from './zoned-time';

export const campaignStatuses = ['draft', 'active', 'paused', 'archived'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

export const builtInTemplateNames = [
  'win_back',
  'second_order',
  'repurchase_reminder',
  'vip_reward',
  'new_arrival',
  'apology',
] as const;
export type BuiltInTemplateName = (typeof builtInTemplateNames)[number];

/** Templates whose mail is transactional (compensation): no marketing consent, cap or open-complaint check. */
export const transactionalTemplates: readonly BuiltInTemplateName[] = ['apology'];

const days = z.number().int().min(0).max(3650);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');

export const audienceSchema = z
  .object({
    segments: z.array(z.enum(segments)).max(segments.length).optional(),
    stages: z.array(z.enum(stages)).max(stages.length).optional(),
    minDaysSinceLastOrder: days.optional(),
    maxDaysSinceLastOrder: days.optional(),
    minOrders: z.number().int().min(0).max(1_000_000).optional(),
    /** Predicted 12-month CLV, major units of the customer's currency. */
    minClv: z.number().min(0).max(1e12).optional(),
    maxPAlive: z.number().min(0).max(1).optional(),
    channels: z.array(z.string().min(1).max(64)).max(100).optional(),
    /** Customers who bought any of these SKUs. */
    skus: z.array(z.string().min(1).max(255)).max(100).optional(),
  })
  .strict()
  .refine(
    (a) => a.minDaysSinceLastOrder === undefined || a.maxDaysSinceLastOrder === undefined || a.minDaysSinceLastOrder <= a.maxDaysSinceLastOrder,
    { message: 'minDaysSinceLastOrder is above maxDaysSinceLastOrder', path: ['minDaysSinceLastOrder'] },
  );
export type Audience = z.infer<typeof audienceSchema>;

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('manual') }).strict(),
  z.object({ type: z.literal('segment_entered'), segment: z.enum(segments) }).strict(),
  z.object({ type: z.literal('stage_entered'), stage: z.enum(stages) }).strict(),
  /** Five-field cron (minute hour day-of-month month day-of-week), read in `timeZone` (default UTC). */
  z
    .object({ type: z.literal('schedule'), cron: z.string().min(9).max(100), timeZone: z.string().min(1).max(64).optional() })
    .strict()
    .superRefine((t, ctx) => {
      const problem = cronProblem(t.cron, t.timeZone);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [cronProblem(t.cron) ? 'cron' : 'timeZone'] });
    }),
  z.object({ type: z.literal('days_after_first_order'), days: z.number().int().min(1).max(3650) }).strict(),
  /** The repurchase reminder: `days` before the customer's expected next order. */
  z.object({ type: z.literal('before_expected_order'), days: z.number().int().min(0).max(365) }).strict(),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const customMessageSchema = z
  .object({
    subject: z.string().min(1).max(200),
    html: z.string().min(1).max(100_000),
    text: z.string().min(1).max(100_000),
  })
  .strict()
  .superRefine((message, ctx) => {
    for (const problem of templateProblems(message)) ctx.addIssue({ code: 'custom', message: problem });
  });
export const messageSchema = z.union([
  z.object({ template: z.enum(builtInTemplateNames) }).strict(),
  customMessageSchema,
]);
export type CampaignMessage = z.infer<typeof messageSchema>;

export const couponSchema = z
  .object({
    kind: z.enum(['percent', 'fixed']),
    /** percent: 1..100; fixed: major units of the channel's currency. */
    value: z.number().positive().max(1_000_000),
    expiresInDays: z.number().int().min(1).max(365),
    minSubtotalMinor: z.number().int().min(0).max(1e12).optional(),
  })
  .strict()
  .refine((c) => c.kind !== 'percent' || c.value <= 100, { message: 'a percent coupon is at most 100', path: ['value'] });
export type CouponSpec = z.infer<typeof couponSchema>;

export const quietHoursSchema = z
  .object({ start: hhmm, end: hhmm, timeZone: z.string().min(1).max(64).refine(isTimeZone, 'not an IANA time zone name such as Europe/Berlin').optional() })
  .strict()
  .refine((q) => q.start !== q.end, { message: 'quiet hours start and end at the same time', path: ['end'] });
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const campaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    audience: audienceSchema.default({}),
    trigger: triggerSchema,
    message: messageSchema,
    coupon: couponSchema.nullable().default(null),
    holdoutPercent: z.number().min(0).max(90).default(10),
    quietHours: quietHoursSchema.nullable().default(null),
    /** Without it a customer gets the campaign at most once. */
    repeatAfterDays: z.number().int().min(1).max(3650).nullable().default(null),
    status: z.enum(['draft', 'active']).default('draft'),
  })
  .strict();
export type CampaignInput = z.input<typeof campaignInputSchema>;

export const campaignPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    audience: audienceSchema,
    trigger: triggerSchema,
    message: messageSchema,
    coupon: couponSchema.nullable(),
    holdoutPercent: z.number().min(0).max(90),
    quietHours: quietHoursSchema.nullable(),
    repeatAfterDays: z.number().int().min(1).max(3650).nullable(),
    status: z.enum(campaignStatuses),
  })
  .partial()
  .strict();
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

export interface Campaign extends Omit<z.output<typeof campaignInputSchema>, 'status'> {
  id: string;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency revision. */
  rev: number;
}

/** Whether the message is transactional mail (skips marketing consent, cap and open-complaint checks). */
export function isTransactional(campaign: Pick<Campaign, 'message'>): boolean {
  return 'template' in campaign.message && transactionalTemplates.includes(campaign.message.template);
}
