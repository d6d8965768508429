// Every key and list name in the table is built here and nowhere else.
import type { IndexName } from '../../lib/resources';
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
export const customerItemPrefixes = { purchaseDay: 'DAY#', discountCode: 'CODE#' } as const;

export const itemKeys = {
  channel: (channelId: string): ItemKey => ({ pk: `CHANNEL#${channelId}`, sk: 'CHANNEL' }),
  customer: (customerId: string): ItemKey => ({ pk: customerPartition(customerId), sk: 'PROFILE' }),
  /** One purchase day (YYYY-MM-DD) of a customer, with the times of its counted orders. */
  purchaseDay: (customerId: string, day: string): ItemKey => ({
    pk: customerPartition(customerId),
    sk: `${customerItemPrefixes.purchaseDay}${day}`,
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
  dataExport: (exportId: string): ItemKey => ({ pk: `EXPORT#${exportId}`, sk: 'EXPORT' }),
  /** The failures of one queued delivery, kept while it is retried and once it is dead. */
  deliveryFailure: (failureId: string): ItemKey => ({ pk: `FAILURE#${failureId}`, sk: 'FAILURE' }),
};

/** Partition values of the listByKind index. */
export const lists = {
  channels: 'CHANNELS',
  customers: 'CUSTOMERS',
  apiKeys: 'APIKEYS',
  quarantine: 'QUARANTINE',
  exports: 'EXPORTS',
  deadLetters: 'DEADLETTERS',
  channelOrders: (channelId: string): string => `ORDERS#${channelId}`,
};

/** Index names, checked against lib/resources.ts by the compiler. */
export const indexes = {
  listByKind: 'listByKind',
  ordersByCustomer: 'ordersByCustomer',
} as const satisfies Record<string, IndexName>;
