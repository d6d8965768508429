// How one order's stored state moves as deliveries arrive, in any order and any
// number of times. Pure: the processor reads the stored order, asks this module
// for the next state, and writes it only if it changed.
import type { ChannelEvent, NormalizedOrder, Platform } from './model';

/** An order as huitou keeps it: the normalized order without the person's facts. */
export interface OrderRecord extends Omit<NormalizedOrder, 'customer'> {
  /**
   * True while huitou knows the order only from a refund or a removal that
   * arrived before the order itself. A placeholder never counts.
   */
  placeholder: boolean;
  customerId?: string | undefined;
  /** Storage revision, set by the repository; not part of the order's content. */
  version?: number | undefined;
}

/** The channel events that change one order. */
export type OrderChange = Extract<ChannelEvent, { kind: 'order' | 'refund' | 'order-removed' }>;

function timeOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** Merges refunds by id; for an id both hold, `kept` wins. */
function mergeRefunds(kept: Record<string, number>, seen: Record<string, number>): Record<string, number> {
  return { ...seen, ...kept };
}

/**
 * The refund key of an imported order. An order export says how much an order
 * refunded in all, never by which refunds, while the store's webhooks list
 * refunds by id: the two must never add up. Refunds by id known first win
 * over a file's total; a newer version from the store that lists refunds by
 * id replaces it; an older one adds nothing to it. A refund that arrives on
 * its own (refunds/create) adds to it: it came after the file was made.
 */
export const importedRefundsKey = 'import:total';

function hasRefundIds(refunds: Record<string, number>): boolean {
  return Object.keys(refunds).some((key) => key !== importedRefundsKey);
}

function withoutImportedTotal(refunds: Record<string, number>): Record<string, number> {
  const { [importedRefundsKey]: _total, ...byId } = refunds;
  return byId;
}

/** The stored and arriving refunds of two full versions, an imported total settled as importedRefundsKey says. */
function settleImportedTotal(
  stored: Record<string, number>,
  arriving: Record<string, number>,
  arrivingIsNewer: boolean,
): { stored: Record<string, number>; arriving: Record<string, number> } {
  if (importedRefundsKey in arriving && hasRefundIds(stored)) return { stored, arriving: withoutImportedTotal(arriving) };
  if (!(importedRefundsKey in stored)) return { stored, arriving };
  if (!arrivingIsNewer) return { stored, arriving: {} };
  return hasRefundIds(arriving) ? { stored: withoutImportedTotal(stored), arriving } : { stored, arriving };
}

function recordOf(order: NormalizedOrder): OrderRecord {
  const { customer: _facts, ...rest } = order;
  return { ...rest, refunds: { ...order.refunds }, discountCodes: [...order.discountCodes], placeholder: false };
}

function placeholder(
  platform: Platform,
  channelId: string,
  orderId: string,
  fields: Pick<OrderRecord, 'updatedAt' | 'status' | 'currency' | 'refunds'>,
): OrderRecord {
  return {
    channelId,
    platform,
    orderId,
    placedAt: '',
    placedDay: '',
    test: false,
    totalMinor: 0,
    discountCodes: [],
    placeholder: true,
    ...fields,
  };
}

/**
 * The state after `change`, given what is stored. An older version of the order
 * changes nothing but may add refunds it knew of; a newer one replaces the
 * fields, and refunds from every version are kept once by id.
 */
export function applyOrderChange(
  platform: Platform,
  existing: OrderRecord | undefined,
  change: OrderChange,
): OrderRecord {
  switch (change.kind) {
    case 'order': {
      const incoming = recordOf(change.order);
      if (!existing) return incoming;
      if (existing.placeholder) {
        const settled = settleImportedTotal(existing.refunds, incoming.refunds, true);
        const refunds = mergeRefunds(settled.stored, settled.arriving);
        // A removal seen before the order wins when it is the later fact.
        const removedLater =
          existing.status === 'deleted' && timeOf(existing.updatedAt) > timeOf(incoming.updatedAt);
        return removedLater
          ? { ...incoming, refunds, status: 'deleted', updatedAt: existing.updatedAt }
          : { ...incoming, refunds };
      }
      const newer = timeOf(incoming.updatedAt) >= timeOf(existing.updatedAt);
      const { stored, arriving } = settleImportedTotal(existing.refunds, incoming.refunds, newer);
      if (!newer) return { ...existing, refunds: mergeRefunds(stored, arriving) };
      // A version that says nothing of its lines (a file without line columns,
      // a store API that would not list them) keeps the lines known, as the
      // store keeps every field a version leaves out; an empty list replaces them.
      const lineItems = incoming.lineItems ?? existing.lineItems;
      // The newer version's amount wins for a key both know: refund ids never
      // change amount, but BigCommerce's one aggregate key does.
      return {
        ...incoming,
        refunds: mergeRefunds(arriving, stored),
        customerId: existing.customerId,
        ...(lineItems && { lineItems }),
      };
    }
    case 'refund': {
      const { refund } = change;
      const refunds = { [refund.refundId]: refund.amountMinor };
      if (!existing) {
        return placeholder(platform, refund.channelId, refund.orderId, {
          updatedAt: '',
          status: 'open',
          currency: refund.currency,
          refunds,
        });
      }
      return { ...existing, refunds: mergeRefunds(existing.refunds, refunds) };
    }
    case 'order-removed': {
      // A removal is dated when huitou received it, to the millisecond; stores
      // date versions in whole seconds. Counting it from the start of its
      // second lets a restore made in the same second win.
      const removedAt = new Date(Math.floor(timeOf(change.updatedAt) / 1000) * 1000).toISOString();
      if (!existing) {
        return placeholder(platform, change.channelId, change.orderId, {
          updatedAt: removedAt,
          status: 'deleted',
          currency: '',
          refunds: {},
        });
      }
      if (timeOf(removedAt) < timeOf(existing.updatedAt)) return existing;
      return { ...existing, status: 'deleted', updatedAt: removedAt };
    }
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * True when storing `next` over `existing` would change nothing. Line items
 * count like every other field: an order edited to other lines is written
 * again, a redelivery with the same lines is not.
 */
export function sameOrder(existing: OrderRecord, next: OrderRecord): boolean {
  return canonical({ ...existing, version: undefined }) === canonical({ ...next, version: undefined });
}

/**
 * What one order may carry. Each distinct code of a customer is an item of its
 * own, written with the order in one transaction of at most 100 items (the
 * order, the profile, two days and the codes of the old and new versions), and
 * keyed by the code: 255 UTF-16 units are at most 765 bytes of UTF-8, within a
 * sort key's 1,024. Shopify allows five codes per order, and 255 characters.
 */
export const orderLimits = { discountCodes: 40, codeLength: 255 } as const;

/**
 * What one order keeps of its lines. Lines select audiences and name products
 * in messages, for which the first 50 are plenty. A title of 200 characters
 * is at most 800 bytes of UTF-8 and a SKU of 100 at most 400: 50 lines stay
 * under 65 KB of the order item's 400 KB.
 */
export const lineItemLimits = { lines: 50, titleLength: 200, skuLength: 100 } as const;

/** What one order adds to its customer's figures. */
export interface Contribution {
  channelId: string;
  day: string;
  atMs: number;
  currency: string;
  grossMinor: number;
  refundedMinor: number;
  discountCodes: string[];
}

/**
 * Only real, open, non-test orders count; zero-value ones included. What an
 * order adds is never negative and never refunds more than it paid: the
 * normalizers and refundProblems refuse such money, and this holds the figures
 * at zero or above for what they could not check (a refund that came before
 * its order, stored before there was a total to compare it with).
 */
export function contributionOf(order: OrderRecord | undefined): Contribution | undefined {
  if (!order || order.placeholder || order.test || order.status !== 'open') return undefined;
  const grossMinor = Math.max(0, order.totalMinor);
  const refunded = Object.values(order.refunds).reduce((sum, amount) => sum + Math.max(0, amount), 0);
  return {
    channelId: order.channelId,
    day: order.placedDay,
    atMs: timeOf(order.placedAt),
    currency: order.currency,
    grossMinor,
    refundedMinor: Math.min(grossMinor, refunded),
    discountCodes: order.discountCodes,
  };
}

export function refundedMinor(order: Pick<OrderRecord, 'refunds'>): number {
  return Object.values(order.refunds).reduce((sum, amount) => sum + amount, 0);
}

/** What the order's refunds return beyond what was paid, in minor units. */
function refundExcessMinor(order: Pick<OrderRecord, 'totalMinor' | 'refunds'>): number {
  return Math.max(0, refundedMinor(order) - order.totalMinor);
}

/**
 * Why `next` may not replace `existing`: it would refund more than the order
 * paid (a refund over the total, or a version whose total is below its
 * refunds). Refunds stored while the order was a placeholder had no total to
 * be checked against; the excess they bring is not blamed on the order that
 * arrives after them (contributionOf caps it), only an excess beyond that.
 */
export function refundProblems(
  existing: Pick<OrderRecord, 'placeholder' | 'totalMinor' | 'refunds'> | undefined,
  next: Pick<OrderRecord, 'placeholder' | 'totalMinor' | 'refunds'>,
): string[] {
  if (next.placeholder) return [];
  const excusedMinor = existing?.placeholder
    ? Math.max(0, refundedMinor(existing) - next.totalMinor)
    : existing
      ? refundExcessMinor(existing)
      : 0;
  if (refundExcessMinor(next) <= excusedMinor) return [];
  return [`refunds: ${refundedMinor(next)} refunded is more than the ${next.totalMinor} paid (minor units)`];
}

/** An order as the admin API shows it. */
export function orderView(order: OrderRecord) {
  return {
    channelId: order.channelId,
    orderId: order.orderId,
    orderNumber: order.orderNumber ?? null,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    status: order.status,
    test: order.test,
    currency: order.currency,
    totalMinor: order.totalMinor,
    refundedMinor: refundedMinor(order),
    discountCodes: order.discountCodes,
    lineItems: order.lineItems ?? [],
  };
}
