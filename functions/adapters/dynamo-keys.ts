// Every key and list name in the table is built here and nowhere else.
import { customerListShards, inboxPartitionPrefix, type IndexName } from '../../lib/resources';
import { createHash } from 'node:crypto';

export interface ItemKey {
  pk: string;
  sk: string;
}

/** Identity values are hashed so that keys, which reach logs and metrics, hold no PII. */
export function identityDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The partition of a customer: the profile, and its purchase-day and discount-code items. */
export const customerPartition = (customerId: string): string => `CUSTOMER#${customerId}`;

/** Sort-key prefixes of the counter items in a customer's partition, for begins_with. */
export const customerItemPrefixes = {
  purchaseDay: 'DAY#',
  discountCode: 'CODE#',
  transition: 'HISTORY#',
  complaint: 'COMPLAINT#',
  campaignSend: 'SEND#',
} as const;

export const itemKeys = {
  channel: (channelId: string): ItemKey => ({ pk: `CHANNEL#${channelId}`, sk: 'CHANNEL' }),
  customer: (customerId: string): ItemKey => ({ pk: customerPartition(customerId), sk: 'PROFILE' }),
  /** One purchase day (YYYY-MM-DD) of a customer, with the times of its counted orders. */
  purchaseDay: (customerId: string, day: string): ItemKey => ({
    pk: customerPartition(customerId),
    sk: `${customerItemPrefixes.purchaseDay}${day}`,
  }),
  /** The customer's current segment, stage and scores; apart from the profile, so a rescore and an order never collide. */
  customerScores: (customerId: string): ItemKey => ({ pk: customerPartition(customerId), sk: 'SCORES' }),
  /** The customer's stage, listed by stage in the byScore index (the scores item is listed by segment). */
  customerStage: (customerId: string): ItemKey => ({ pk: customerPartition(customerId), sk: 'STAGE' }),
  /** One segment or stage transition, kept for the profile's history. */
  scoreTransition: (customerId: string, at: string, kind: string): ItemKey => ({
    pk: customerPartition(customerId),
    sk: `${customerItemPrefixes.transition}${at}#${kind}`,
  }),
  /** How many of a customer's counted orders used a code; codes are at most 255 characters, so the key fits. */
  discountCode: (customerId: string, code: string): ItemKey => ({
    pk: customerPartition(customerId),
    sk: `${customerItemPrefixes.discountCode}${code}`,
  }),
  channelCustomerIdentity: (channelId: string, channelCustomerId: string): ItemKey => ({
    pk: `IDENTITY#CC#${channelId}#${identityDigest(channelCustomerId)}`,
    sk: 'IDENTITY',
  }),
  emailIdentity: (email: string): ItemKey => ({
    pk: `IDENTITY#EMAIL#${identityDigest(email)}`,
    sk: 'IDENTITY',
  }),
  phoneIdentity: (phone: string): ItemKey => ({
    pk: `IDENTITY#PHONE#${identityDigest(phone)}`,
    sk: 'IDENTITY',
  }),
  order: (channelId: string, orderId: string): ItemKey => ({
    pk: `ORDER#${channelId}#${orderId}`,
    sk: 'ORDER',
  }),
  /** The raw payload of an order's newest version, beside the order in its partition. */
  orderPayload: (channelId: string, orderId: string): ItemKey => ({
    pk: `ORDER#${channelId}#${orderId}`,
    sk: 'PAYLOAD',
  }),
  apiKey: (keyHash: string): ItemKey => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  quarantine: (entryId: string): ItemKey => ({ pk: `QUARANTINE#${entryId}`, sk: 'QUARANTINE' }),
  /** The body of a quarantine entry, a blob beside it: out of the listed item, so lists stay small. */
  quarantineBody: (entryId: string): ItemKey => ({ pk: `QUARANTINE#${entryId}`, sk: 'BODY' }),
  /** A delivery body too large for an SQS message, waiting for the processor (the webhook may write only these). */
  inbox: (inboxId: string): ItemKey => ({ pk: `${inboxPartitionPrefix}${inboxId}`, sk: 'INBOX' }),
  dataExport: (exportId: string): ItemKey => ({ pk: `EXPORT#${exportId}`, sk: 'EXPORT' }),
  /** The store's current model: what the last rescore fitted, and the RFM cut points. */
  currentModel: (): ItemKey => ({ pk: 'MODEL', sk: 'CURRENT' }),
  job: (jobId: string): ItemKey => ({ pk: `JOB#${jobId}`, sk: 'JOB' }),
  /** The failures of one queued delivery, kept while it is retried and once it is dead. */
  deliveryFailure: (failureId: string): ItemKey => ({ pk: `FAILURE#${failureId}`, sk: 'FAILURE' }),
  campaign: (campaignId: string): ItemKey => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CAMPAIGN' }),
  /** A campaign's counters (sent, delivered, redeemed...), moved by atomic ADDs. */
  campaignStats: (campaignId: string): ItemKey => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'STATS' }),
  /** One customer counted once as converted by a campaign (treated or holdout). */
  campaignConversion: (campaignId: string, customerId: string): ItemKey => ({
    pk: `CAMPAIGN#${campaignId}`,
    sk: `CONVERSION#${customerId}`,
  }),
  /** The send of one campaign occurrence to one customer: the idempotency record, in the customer's partition so erasure reaches it. */
  campaignSend: (customerId: string, campaignId: string, occurrence: string): ItemKey => ({
    pk: customerPartition(customerId),
    sk: `${customerItemPrefixes.campaignSend}${campaignId}#${occurrence}`,
  }),
  /** When a customer was last mailed (frequency cap), in the customer's partition. */
  contactLog: (customerId: string): ItemKey => ({ pk: customerPartition(customerId), sk: 'CONTACT' }),
  complaint: (customerId: string, complaintId: string): ItemKey => ({
    pk: customerPartition(customerId),
    sk: `${customerItemPrefixes.complaint}${complaintId}`,
  }),
  /** An address that must get no more mail, by its digest (identityDigest of the normalized email). */
  suppression: (emailDigest: string): ItemKey => ({ pk: `SUPPRESSION#${emailDigest}`, sk: 'SUPPRESSION' }),
  /** One mail SES accepted, by SES message id: SES events find their campaign and customer here. */
  message: (messageId: string): ItemKey => ({ pk: `MESSAGE#${messageId}`, sk: 'MESSAGE' }),
  /** An issued coupon code, by the code as the store reports it back (upper case). */
  coupon: (code: string): ItemKey => ({ pk: `COUPON#${code.toUpperCase()}`, sk: 'COUPON' }),
  /** The end of the time the matcher's last tick covered. */
  campaignTick: (): ItemKey => ({ pk: 'CAMPAIGN_TICK', sk: 'CAMPAIGN_TICK' }),
  /** The key that signs unsubscribe links, created on first use. */
  signingKey: (): ItemKey => ({ pk: 'SIGNING_KEY', sk: 'UNSUBSCRIBE' }),
};

const customerListPrefix = 'CUSTOMERS';

const customerShardName = (n: number): string => `${customerListPrefix}#${String(n).padStart(2, '0')}`;

/**
 * The customer-list shard of a customer: the first 32 bits of the id's
 * SHA-256, modulo the shard count (which divides 2^32, so every shard is
 * equally likely). Stable across versions and processes: the id alone decides.
 */
export function customerListShard(customerId: string): string {
  return customerShardName(customerShardNumber(customerId));
}

function customerShardNumber(customerId: string): number {
  return createHash('sha256').update(customerId).digest().readUInt32BE(0) % customerListShards;
}

const shardSuffix = (n: number): string => String(n).padStart(2, '0');
const allShards = Array.from({ length: customerListShards }, (_, n) => n);

/** Partitions of the byScore index: one family per segment and per stage, each spread over the customer shards. */
export const scoreLists = {
  segment: (segment: string, customerId: string): string => `SEGMENT#${segment}#${shardSuffix(customerShardNumber(customerId))}`,
  stage: (stage: string, customerId: string): string => `STAGE#${stage}#${shardSuffix(customerShardNumber(customerId))}`,
  segmentShards: (segment: string): string[] => allShards.map((n) => `SEGMENT#${segment}#${shardSuffix(n)}`),
  stageShards: (stage: string): string[] => allShards.map((n) => `STAGE#${stage}#${shardSuffix(n)}`),
  /** The sort key: CLV in minor units, padded so text order is number order, then the id (unique). */
  sortKey: (clvMinor: number, customerId: string): string =>
    `${String(Math.max(0, Math.round(clvMinor))).padStart(clvDigits, '0')}#${customerId}`,
};

/** Digits of the padded CLV: enough for 10^15 minor units. */
const clvDigits = 16;

/** Partition values of the listByKind index. */
export const lists = {
  channels: 'CHANNELS',
  /** The list partition of a customer's profile: one shard of the customer list, never one for all. */
  customers: customerListShard,
  /** Every shard of the customer list, in order. */
  customerShards: Array.from({ length: customerListShards }, (_, n) => customerShardName(n)) as readonly string[],
  /** The one partition that held every profile before the shards; only the migration reads it. */
  unshardedCustomers: customerListPrefix,
  apiKeys: 'APIKEYS',
  quarantine: 'QUARANTINE',
  exports: 'EXPORTS',
  deadLetters: 'DEADLETTERS',
  campaigns: 'CAMPAIGNS',
  channelOrders: (channelId: string): string => `ORDERS#${channelId}`,
};

/** Index names, checked against lib/resources.ts by the compiler. */
export const indexes = {
  listByKind: 'listByKind',
  ordersByCustomer: 'ordersByCustomer',
  byScore: 'byScore',
} as const satisfies Record<string, IndexName>;
