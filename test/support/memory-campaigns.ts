// In-memory sender ports for the send use case's tests, with crash injection:
// `crash` names a step, and the port throws there once, either before its
// write or after it (the write done, the process gone before it could go on).
import type { CouponRequest, IssuedCoupon, OutgoingMail, Suppression } from '../../functions/app/campaign-ports';
import type { CustomerFacts, SendEffects, SenderPorts, SendRecord, SendState, SendStore, SendTask } from '../../functions/app/send-campaign';
import type { Campaign } from '../../functions/domain/campaigns/campaign';
import { newProfile, type CustomerProfile } from '../../functions/domain/customers';
import { ConflictError } from '../../functions/shared/errors';

export type CrashPoint =
  | `before-${SendState}`
  | `after-${SendState}`
  | 'before-coupon-create'
  | 'after-coupon-create'
  | 'before-mail'
  | 'after-mail';

export class Crash extends Error {
  constructor(point: string) {
    super(`crash at ${point}`);
  }
}

export function aCampaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 'cmp_1',
    name: 'Win back',
    status: 'active',
    audience: {},
    trigger: { type: 'manual' },
    message: { template: 'win_back' },
    coupon: { kind: 'percent', value: 15, expiresInDays: 14 },
    holdoutPercent: 0,
    quietHours: null,
    repeatAfterDays: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    rev: 1,
    ...overrides,
  };
}

export function aCustomer(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    ...newProfile('cus_1', '2026-01-01T00:00:00.000Z'),
    email: 'ada@example.com',
    firstName: 'Ada',
    consent: { state: 'subscribed' },
    channels: ['ch_shop'],
    channelCustomerIds: { ch_shop: '42' },
    figures: {
      orders: 2,
      purchaseDays: 2,
      grossMinor: 5000,
      refundedMinor: 0,
      netMinor: 5000,
      currency: 'EUR',
      firstOrderAt: '2025-06-01T10:00:00.000Z',
      lastOrderAt: '2025-09-01T10:00:00.000Z',
    },
    ...overrides,
  };
}

export interface MemoryCampaignWorld {
  ports: SenderPorts;
  records: Map<string, SendRecord>;
  stats: Map<string, number>;
  coupons: Map<string, NonNullable<SendEffects['coupon']>>;
  messages: Map<string, NonNullable<SendEffects['message']>>;
  contact: { sentAt: string[]; rev: number };
  /** Codes created at the store, in order; the same code twice is one coupon (the providers are idempotent). */
  created: string[];
  /** Every request the store got, retries included. */
  couponRequests: CouponRequest[];
  mails: OutgoingMail[];
  deferred: { task: SendTask; delaySeconds: number }[];
  campaigns: Map<string, Campaign>;
  customer: CustomerProfile;
  suppression: Suppression | null;
  openComplaint: boolean;
  /** The step to crash at, once. */
  crash: CrashPoint | undefined;
  couponFailure: Error | undefined;
  hasCouponProvider: boolean;
  now: Date;
}

const keyOf = (task: Pick<SendTask, 'campaignId' | 'customerId' | 'occurrence'>) => `${task.customerId}#${task.campaignId}#${task.occurrence}`;

export function memoryCampaignWorld(): MemoryCampaignWorld {
  let codes = 0;
  let messageIds = 0;
  const world: MemoryCampaignWorld = {
    records: new Map(),
    stats: new Map(),
    coupons: new Map(),
    messages: new Map(),
    contact: { sentAt: [], rev: 0 },
    created: [],
    couponRequests: [],
    mails: [],
    deferred: [],
    campaigns: new Map([['cmp_1', aCampaign()]]),
    customer: aCustomer(),
    suppression: null,
    openComplaint: false,
    crash: undefined,
    couponFailure: undefined,
    hasCouponProvider: true,
    now: new Date('2026-03-10T12:00:00.000Z'),
    ports: undefined as unknown as SenderPorts,
  };
  const crashAt = (point: CrashPoint): void => {
    if (world.crash === point) {
      world.crash = undefined;
      throw new Crash(point);
    }
  };
  const sends: SendStore = {
    async claim(task, now) {
      const existing = world.records.get(keyOf(task));
      if (existing && !(existing.state === 'dropped' && existing.triggerId !== task.triggerId)) return structuredClone(existing);
      crashAt('before-claimed');
      const fresh: SendRecord = { ...task, state: 'claimed', createdAt: now, updatedAt: now };
      world.records.set(keyOf(task), fresh);
      crashAt('after-claimed');
      return structuredClone(fresh);
    },
    async advance(record, from: SendState, next, effects: SendEffects = {}) {
      crashAt(`before-${next.state}`);
      const stored = world.records.get(keyOf(record));
      if (stored?.state !== from) throw new ConflictError(`send is ${stored?.state}, not ${from}`);
      if (effects.contact && effects.contact.rev !== world.contact.rev) throw new ConflictError('contact log moved');
      if (effects.coupon && world.coupons.has(effects.coupon.code)) throw new ConflictError('coupon exists');
      if (effects.message && world.messages.has(effects.message.messageId)) throw new ConflictError('message exists');
      const updated = { ...stored, ...next };
      world.records.set(keyOf(record), updated);
      for (const [name, delta] of Object.entries(effects.stats ?? {})) world.stats.set(name, (world.stats.get(name) ?? 0) + (delta ?? 0));
      if (effects.contact) world.contact = { sentAt: effects.contact.sentAt, rev: effects.contact.rev + 1 };
      if (effects.coupon) world.coupons.set(effects.coupon.code, effects.coupon);
      if (effects.message) world.messages.set(effects.message.messageId, effects.message);
      crashAt(`after-${next.state}`);
      return structuredClone(updated);
    },
  };
  world.ports = {
    campaigns: { get: async (id) => world.campaigns.get(id) },
    customers: {
      facts: async (customerId, campaignId): Promise<CustomerFacts | undefined> => {
        if (customerId !== world.customer.id) return undefined;
        const priorSends = [...world.records.values()].filter((r) => r.customerId === customerId && r.campaignId === campaignId);
        return {
          profile: structuredClone(world.customer),
          score: undefined,
          skus: ['SKU-1'],
          products: ['Green tea'],
          suppression: world.suppression,
          openComplaint: world.openComplaint,
          contact: structuredClone(world.contact),
          priorSends,
        };
      },
    },
    sends,
    coupons: {
      providerFor: async () =>
        world.hasCouponProvider
          ? {
              channelId: 'ch_shop',
              storeName: 'Tea Shop',
              currency: 'EUR',
              provider: {
                create: async (request): Promise<IssuedCoupon> => {
                  world.couponRequests.push(request);
                  crashAt('before-coupon-create');
                  if (world.couponFailure) throw world.couponFailure;
                  if (!world.created.includes(request.code)) world.created.push(request.code);
                  crashAt('after-coupon-create');
                  return { code: request.code, platformId: `gid://${request.code}` };
                },
              },
            }
          : undefined,
    },
    stores: { nameFor: async () => 'Tea Shop' },
    mailer: {
      send: async (mail) => {
        crashAt('before-mail');
        world.mails.push(mail);
        messageIds += 1;
        crashAt('after-mail');
        return { messageId: `ses-${messageIds}` };
      },
    },
    unsubscribeUrl: async (customerId, campaignId) => `https://shop.test/u/${customerId}.${campaignId}`,
    newCouponCode: () => {
      codes += 1;
      return `HT-CODE-${codes}`;
    },
    deferTask: async (task, delaySeconds) => {
      world.deferred.push({ task: { campaignId: task.campaignId, customerId: task.customerId, occurrence: task.occurrence, triggerId: task.triggerId }, delaySeconds });
    },
    now: () => world.now,
  };
  return world;
}
