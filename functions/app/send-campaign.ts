// The sender's policy for one send task: one campaign occurrence for one
// customer. Every step is recorded on the send record before the next one
// starts, so a crash or a retry anywhere goes on from the step it reached:
//
//   claimed → dropped | holdout                       (guardrails, counted once)
//   claimed → approved                                (frequency-cap slot reserved in the same write)
//   approved → coupon_pending (code chosen)           → the store creates exactly that code
//   coupon_pending → mail_pending (coupon recorded)   → SES SendEmail
//   mail_pending → sent (message recorded, counted)
//
// A retry that finds `mail_pending` cannot know whether SES took the mail, so
// it marks the send `unconfirmed` and never mails again: at most one email.
// A retry that finds `coupon_pending` asks the store for the same code again,
// which the providers answer idempotently: at most one coupon.
import type { Audience, Campaign } from '../domain/campaigns/campaign';
import { isTransactional } from '../domain/campaigns/campaign';
import { matchesAudience, type AudienceSubject } from '../domain/campaigns/audience';
import { checkGuardrails, withSend, type GuardrailFacts } from '../domain/campaigns/guardrails';
import { renderMessage, type RenderContext } from '../domain/campaigns/templates';
import { unsubscribeHeaders } from '../domain/campaigns/unsubscribe-token';
import { CouponRejectedError } from '../shared/errors';
import type { CouponProvider, DropReason, Mailer, StatDeltas, Suppression } from './campaign-ports';
import type { CustomerProfile } from '../domain/customers';
import type { StoredScore } from './rescore';

export interface SendTask {
  campaignId: string;
  customerId: string;
  occurrence: string;
  triggerId: string;
}

export type SendState =
  | 'claimed'
  | 'dropped'
  | 'holdout'
  | 'approved'
  | 'coupon_pending'
  | 'mail_pending'
  | 'sent'
  | 'unconfirmed';

export interface SendRecord extends SendTask {
  state: SendState;
  createdAt: string;
  updatedAt: string;
  reason?: DropReason | undefined;
  /** When the send was approved: the frequency-cap slot it holds. */
  approvedAt?: string | undefined;
  channelId?: string | undefined;
  coupon?: { code: string; expiresAt: string } | undefined;
  messageId?: string | undefined;
  sentAt?: string | undefined;
}

/** What the sender knows about the customer when it decides. */
export interface CustomerFacts {
  profile: CustomerProfile;
  score: StoredScore | undefined;
  skus: readonly string[];
  products: readonly string[];
  suppression: Suppression | null;
  openComplaint: boolean;
  contact: { sentAt: string[]; rev: number };
  /** Earlier occurrences of this campaign to this customer that were mailed. */
  priorSends: readonly Pick<SendRecord, 'occurrence' | 'sentAt' | 'state'>[];
}

export interface SendStore {
  /** The record of this task, created as `claimed` if there is none, or reopened when a new trigger meets a dropped one. */
  claim(task: SendTask, now: string): Promise<SendRecord>;
  /** Moves the record from `from` to `next.state`; ConflictError if it was not in `from`. */
  advance(record: SendRecord, from: SendState, next: Partial<SendRecord> & { state: SendState }, effects?: SendEffects): Promise<SendRecord>;
}

/** Writes that must happen in the same transaction as a state change, so a crash cannot split them. */
export interface SendEffects {
  stats?: StatDeltas;
  /** The customer's contact log after this send, expected at `rev`. */
  contact?: { sentAt: string[]; rev: number };
  /** The issued coupon's own item, found again by its code when an order carries it. */
  coupon?: { code: string; channelId: string; campaignId: string; customerId: string; expiresAt: string; issuedAt: string };
  /** The mail SES accepted, found again by its message id when SES events come back. */
  message?: { messageId: string; email: string; sentAt: string };
}

export interface SenderPorts {
  campaigns: { get(campaignId: string): Promise<Campaign | undefined> };
  customers: { facts(customerId: string, campaignId: string): Promise<CustomerFacts | undefined> };
  sends: SendStore;
  /** The channel whose store issues the customer's code, and its provider; undefined when none of the customer's channels has coupons set up. */
  coupons: { providerFor(profile: CustomerProfile): Promise<{ channelId: string; storeName: string; currency: string | null; provider: CouponProvider } | undefined> };
  stores: { nameFor(profile: CustomerProfile): Promise<string> };
  mailer: Mailer;
  unsubscribeUrl(customerId: string, campaignId: string, email: string): Promise<string>;
  /** A fresh, unguessable coupon code. */
  newCouponCode(): string;
  /** Puts the task back on the queue, to be seen again after `delaySeconds` (quiet hours). */
  deferTask(task: SendTask, delaySeconds: number): Promise<void>;
  now(): Date;
}

export interface SenderSettings {
  from: string;
  configurationSet: string;
}

export type SendOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'holdout' }
  | { kind: 'dropped'; reason: string }
  | { kind: 'deferred'; until: string }
  | { kind: 'skipped'; why: string }
  | { kind: 'unconfirmed' };

const dayMs = 86_400_000;
/** SQS holds a message back for at most 15 minutes; a longer wait is several hops. */
const maxDelaySeconds = 900;

/**
 * How long a send that failed for a reason a retry may fix (the store's API,
 * SES) waits before its next try: doubling from 30 s up to 15 minutes, about
 * 45 minutes over the queue's 8 receives before the DLQ keeps it.
 */
export function retryBackoffSeconds(receiveCount: number): number {
  return Math.min(maxDelaySeconds, 30 * 2 ** Math.max(0, receiveCount - 1));
}

/** The subject of the audience rules, from what the sender read. */
export function audienceSubjectOf(facts: Pick<CustomerFacts, 'profile' | 'score' | 'skus'>): AudienceSubject {
  const { profile, score } = facts;
  return {
    figures: { orders: profile.figures.orders, firstOrderAt: profile.figures.firstOrderAt, lastOrderAt: profile.figures.lastOrderAt },
    channels: profile.channels,
    segment: score?.segment ?? null,
    stage: score?.stage ?? null,
    scores: score
      ? { pAlive: score.scores.pAlive, clv12m: score.scores.clv12m, nextOrderAt: score.scores.nextOrderAt }
      : null,
    skus: facts.skus,
  };
}

/**
 * The audience as far as it can be checked from the customer list alone
 * (profile and scores): who bought which SKU needs the customer's orders,
 * which the sender reads for each task, so a first pass leaves it to the sender.
 */
export function listAudience(audience: Audience): Audience {
  const { skus: _skus, ...rest } = audience;
  return rest;
}

/** The guardrail facts of a customer for a campaign occurrence. */
export function guardrailFactsOf(campaign: Campaign, occurrence: string, facts: CustomerFacts, now: Date): GuardrailFacts {
  const repeatMs = campaign.repeatAfterDays === null ? Number.POSITIVE_INFINITY : campaign.repeatAfterDays * dayMs;
  const alreadyReceived = facts.priorSends.some(
    (prior) =>
      prior.occurrence !== occurrence &&
      (prior.state === 'sent' || prior.state === 'unconfirmed') &&
      (prior.sentAt === undefined || now.getTime() - Date.parse(prior.sentAt) < repeatMs),
  );
  return {
    hasEmail: Boolean(facts.profile.email),
    alreadyReceived,
    consent: facts.profile.consent.state,
    suppression: facts.suppression?.reason ?? null,
    openComplaint: facts.openComplaint,
    recentMarketingSends: facts.contact.sentAt,
  };
}

/** Runs one send task as far as it can go. Throws on what a retry may fix (the store's API, SES, a lost race). */
export async function sendCampaign(ports: SenderPorts, settings: SenderSettings, task: SendTask): Promise<SendOutcome> {
  const campaign = await ports.campaigns.get(task.campaignId);
  if (!campaign) return { kind: 'skipped', why: 'campaign not found' };
  let record = await ports.sends.claim(task, ports.now().toISOString());
  if (record.state === 'mail_pending') {
    // An earlier attempt stopped between asking SES and recording the answer: see the header.
    await ports.sends.advance(record, 'mail_pending', { state: 'unconfirmed', updatedAt: ports.now().toISOString() }, { stats: { unconfirmed: 1 } });
    return { kind: 'unconfirmed' };
  }

  if (record.state === 'claimed') {
    // A paused or archived campaign sends nothing more; its open records wait, unclaimed by any decision.
    if (campaign.status !== 'active') return { kind: 'skipped', why: `campaign is ${campaign.status}` };
    const decided = await decide(ports, campaign, record);
    if (decided.outcome) return decided.outcome;
    record = decided.record;
  }
  if (record.state === 'approved') record = await chooseCoupon(ports, campaign, record);
  if (record.state === 'coupon_pending') {
    const issued = await issueCoupon(ports, campaign, record);
    if ('outcome' in issued) return issued.outcome;
    record = issued.record;
  }
  if (record.state === 'mail_pending') return mail(ports, settings, campaign, record);
  return outcomeOf(record);
}

function outcomeOf(record: SendRecord): SendOutcome {
  switch (record.state) {
    case 'sent':
      return { kind: 'sent', messageId: record.messageId ?? '' };
    case 'holdout':
      return { kind: 'holdout' };
    case 'dropped':
      return { kind: 'dropped', reason: record.reason ?? 'unknown' };
    case 'unconfirmed':
      return { kind: 'unconfirmed' };
    default:
      return { kind: 'skipped', why: `send is ${record.state}` };
  }
}

async function decide(
  ports: SenderPorts,
  campaign: Campaign,
  record: SendRecord,
): Promise<{ record: SendRecord; outcome?: undefined } | { outcome: SendOutcome; record?: undefined }> {
  const now = ports.now();
  const facts = await ports.customers.facts(record.customerId, campaign.id);
  if (!facts) return { outcome: await drop(ports, record, 'no_email') };
  if (!matchesAudience(campaign.audience, audienceSubjectOf(facts), now)) {
    return { outcome: await drop(ports, record, 'not_in_audience') };
  }
  const verdict = checkGuardrails(campaign, record.customerId, guardrailFactsOf(campaign, record.occurrence, facts, now), now);
  switch (verdict.kind) {
    case 'drop':
      return { outcome: await drop(ports, record, verdict.reason) };
    case 'holdout':
      await ports.sends.advance(record, 'claimed', { state: 'holdout', updatedAt: now.toISOString() }, { stats: { holdout: 1 } });
      return { outcome: { kind: 'holdout' } };
    case 'defer': {
      const delaySeconds = Math.min(maxDelaySeconds, Math.max(1, Math.ceil((verdict.until.getTime() - now.getTime()) / 1000)));
      await ports.deferTask(record, delaySeconds);
      return { outcome: { kind: 'deferred', until: verdict.until.toISOString() } };
    }
    case 'send': {
      const at = now.toISOString();
      // Transactional mail does not use up the customer's marketing allowance.
      const contact = isTransactional(campaign) ? undefined : { sentAt: withSend(facts.contact.sentAt, now), rev: facts.contact.rev };
      const next = await ports.sends.advance(
        record,
        'claimed',
        { state: 'approved', approvedAt: at, updatedAt: at },
        contact ? { contact } : undefined,
      );
      return { record: next };
    }
  }
}

async function drop(ports: SenderPorts, record: SendRecord, reason: DropReason): Promise<SendOutcome> {
  await ports.sends.advance(
    record,
    'claimed',
    { state: 'dropped', reason, updatedAt: ports.now().toISOString() },
    { stats: { [`suppressed.${reason}`]: 1 } },
  );
  return { kind: 'dropped', reason };
}

async function chooseCoupon(ports: SenderPorts, campaign: Campaign, record: SendRecord): Promise<SendRecord> {
  const now = ports.now();
  if (!campaign.coupon) {
    return ports.sends.advance(record, 'approved', { state: 'mail_pending', updatedAt: now.toISOString() });
  }
  const expiresAt = new Date(now.getTime() + campaign.coupon.expiresInDays * dayMs).toISOString();
  const code = ports.newCouponCode();
  return ports.sends.advance(record, 'approved', { state: 'coupon_pending', coupon: { code, expiresAt }, updatedAt: now.toISOString() });
}

async function issueCoupon(
  ports: SenderPorts,
  campaign: Campaign,
  record: SendRecord,
): Promise<{ record: SendRecord } | { outcome: SendOutcome }> {
  const facts = await ports.customers.facts(record.customerId, campaign.id);
  const coupon = record.coupon;
  if (!facts?.profile.email || !coupon || !campaign.coupon) throw new Error('a coupon send lost its customer or its code');
  const refuse = async (reason: 'no_coupon_provider' | 'coupon_rejected'): Promise<{ outcome: SendOutcome }> => {
    await ports.sends.advance(
      record,
      'coupon_pending',
      { state: 'dropped', reason, updatedAt: ports.now().toISOString() },
      { stats: { [`suppressed.${reason}`]: 1 }, contact: releaseSlot(facts, record) },
    );
    return { outcome: { kind: 'dropped', reason } };
  };
  // No email ever goes out without a working code: no store to issue it, or a refusal no retry changes, drops the send.
  const store = await ports.coupons.providerFor(facts.profile);
  if (!store) return refuse('no_coupon_provider');
  try {
    await store.provider.create({
      code: coupon.code,
      spec: campaign.coupon,
      expiresAt: coupon.expiresAt,
      email: facts.profile.email,
      platformCustomerId: facts.profile.channelCustomerIds[store.channelId] ?? null,
      currency: store.currency,
      title: `huitou: ${campaign.name}`.slice(0, 255),
    });
  } catch (error) {
    if (error instanceof CouponRejectedError) return refuse('coupon_rejected');
    throw error;
  }
  const now = ports.now().toISOString();
  const next = await ports.sends.advance(
    record,
    'coupon_pending',
    { state: 'mail_pending', channelId: store.channelId, updatedAt: now },
    {
      coupon: {
        code: coupon.code,
        channelId: store.channelId,
        campaignId: campaign.id,
        customerId: record.customerId,
        expiresAt: coupon.expiresAt,
        issuedAt: now,
      },
    },
  );
  return { record: next };
}

async function mail(ports: SenderPorts, settings: SenderSettings, campaign: Campaign, record: SendRecord): Promise<SendOutcome> {
  const facts = await ports.customers.facts(record.customerId, campaign.id);
  const email = facts?.profile.email;
  if (!facts || !email) throw new Error('a send lost its customer between approval and mail');
  const unsubscribeUrl = await ports.unsubscribeUrl(record.customerId, campaign.id, email);
  const context: RenderContext = {
    name: facts.profile.firstName ?? null,
    store: await ports.stores.nameFor(facts.profile),
    coupon:
      record.coupon && campaign.coupon
        ? {
            code: record.coupon.code,
            expiresAt: record.coupon.expiresAt,
            kind: campaign.coupon.kind,
            value: campaign.coupon.value,
            currency: facts.profile.figures.currency,
          }
        : null,
    products: facts.products,
    unsubscribeUrl,
  };
  const rendered = renderMessage(campaign.message, context);
  const { messageId } = await ports.mailer.send({
    to: email,
    from: settings.from,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: unsubscribeHeaders(unsubscribeUrl),
    configurationSet: settings.configurationSet,
    tags: { campaign: campaign.id },
  });
  const sentAt = ports.now().toISOString();
  await ports.sends.advance(
    record,
    'mail_pending',
    { state: 'sent', messageId, sentAt, updatedAt: sentAt },
    { stats: { sent: 1 }, message: { messageId, email, sentAt } },
  );
  return { kind: 'sent', messageId };
}

/** The contact log with this send's reserved slot given back, for a send that will not mail. */
function releaseSlot(facts: CustomerFacts, record: SendRecord): { sentAt: string[]; rev: number } | undefined {
  if (!record.approvedAt || !facts.contact.sentAt.includes(record.approvedAt)) return undefined;
  return { sentAt: facts.contact.sentAt.filter((at) => at !== record.approvedAt), rev: facts.contact.rev };
}
