// What an order means for the campaigns: a code huitou issued is redeemed
// (the campaign is credited with the order's net revenue), and a customer
// who was mailed, or held out, and then ordered within the attribution window
// counts as converted. Each is counted once, however often the order comes
// back: the writes are conditional and read first, so a duplicate writes nothing.
import { contributionOf, type OrderRecord } from '../domain/orders';
import type { SendRecord } from './send-campaign';

/** Days after a send (or a holdout decision) in which an order counts as a conversion. */
export const attributionWindowDays = 7;
const dayMs = 86_400_000;

export interface IssuedCouponRecord {
  code: string;
  campaignId: string;
  customerId: string;
  channelId: string;
  redeemedAt?: string | undefined;
}

export type ConversionGroup = 'treated' | 'holdout';

export interface AttributionPorts {
  coupons: {
    get(code: string): Promise<IssuedCouponRecord | undefined>;
    /** Marks the code redeemed by this order and credits its campaign, once; false if it already was. */
    redeem(coupon: IssuedCouponRecord, order: { channelId: string; orderId: string; netMinor: number }, at: string): Promise<boolean>;
  };
  sends: { ofCustomer(customerId: string): Promise<SendRecord[]> };
  conversions: {
    exists(campaignId: string, customerId: string): Promise<boolean>;
    /** Counts the customer converted for the campaign, once; false if already counted. */
    record(campaignId: string, customerId: string, group: ConversionGroup, orderId: string, at: string): Promise<boolean>;
  };
  now(): Date;
}

export interface Attribution {
  redeemed: string[];
  converted: { campaignId: string; group: ConversionGroup }[];
}

/** When a send put the customer in a group: mailed at `sentAt`, held out when decided. */
function groupOf(send: SendRecord): { group: ConversionGroup; at: string } | undefined {
  if (send.state === 'sent' && send.sentAt) return { group: 'treated', at: send.sentAt };
  if (send.state === 'holdout') return { group: 'holdout', at: send.updatedAt };
  return undefined;
}

export async function attributeOrder(ports: AttributionPorts, order: OrderRecord & { customerId?: string | undefined }): Promise<Attribution> {
  const result: Attribution = { redeemed: [], converted: [] };
  const counted = contributionOf(order);
  const customerId = order.customerId;
  if (!counted || customerId === undefined) return result;
  const at = ports.now().toISOString();
  const netMinor = counted.grossMinor - counted.refundedMinor;

  for (const code of new Set(order.discountCodes.map((code) => code.trim().toUpperCase()))) {
    const coupon = await ports.coupons.get(code);
    // A code of another customer still counts: the store accepted it, and it was issued single-use.
    if (!coupon || coupon.redeemedAt !== undefined) continue;
    if (await ports.coupons.redeem(coupon, { channelId: order.channelId, orderId: order.orderId, netMinor }, at)) {
      result.redeemed.push(coupon.code);
    }
  }

  const placedMs = counted.atMs;
  const sends = await ports.sends.ofCustomer(customerId);
  for (const send of sends) {
    const entry = groupOf(send);
    if (!entry) continue;
    const fromMs = Date.parse(entry.at);
    if (placedMs < fromMs || placedMs > fromMs + attributionWindowDays * dayMs) continue;
    if (await ports.conversions.exists(send.campaignId, customerId)) continue;
    if (await ports.conversions.record(send.campaignId, customerId, entry.group, order.orderId, at)) {
      result.converted.push({ campaignId: send.campaignId, group: entry.group });
    }
  }
  return result;
}
