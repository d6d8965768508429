// Privacy requests (Shopify customers/redact, customers/data_request,
// shop/redact): who and what is erased or exported. Written against ports;
// the DynamoDB adapters only read, write and delete.
import { redactedProfile, type CustomerProfile } from '../domain/customers';
import type { PrivacySubject } from '../domain/model';
import type { OrderRecord } from '../domain/orders';
import type { CustomerRepository } from '../domain/ports';
import {
  concerns,
  heldTokens,
  identitiesInPayload,
  phoneSpellings,
  soughtTokens,
  tokenDigest,
  type PersonToErase,
} from '../domain/privacy';
import { ConflictError } from '../shared/errors';

export interface OrderRef {
  channelId: string;
  orderId: string;
}

export interface DataExport {
  id: string;
  channelId: string;
  requestId: string;
  customerId: string | null;
  createdAt: string;
  customer: CustomerProfile | null;
  orders: OrderRecord[];
}

export interface PrivacyStore {
  ordersOfCustomer(customerId: string): Promise<OrderRecord[]>;
  ordersOfChannel(channelId: string): Promise<OrderRef[]>;
  customersOfChannel(channelId: string): Promise<CustomerProfile[]>;
  /** Drops the raw payload kept beside the order; the order keeps its amounts. */
  eraseOrderPayload(order: OrderRef, now: string): Promise<void>;
  /** Deletes the identity items that point at a person: hashes, but they link them. */
  forgetIdentities(who: Pick<CustomerProfile, 'channelCustomerIds' | 'email' | 'phone'>): Promise<void>;
  deleteExports(of: { customerId: string } | { channelId: string }): Promise<void>;
  /**
   * The campaign traces that hold what a person said or where they were
   * mailed: the notes of their complaints and the address on their message
   * records. Sends, counters and suppressions (a digest) stay: they hold no
   * more than ids, and a suppression must outlive the person's data.
   */
  eraseCampaignTraces(customerId: string, now: string): Promise<void>;
  /** Stores the export under an id derived from its channel and request, so a retry writes the same one. */
  saveExport(draft: Omit<DataExport, 'id'>): Promise<DataExport>;
  /** The channel stays listed as redacted, with no secret or token left. */
  redactChannel(channelId: string, now: string): Promise<void>;
}

export interface QuarantinedPayload {
  id: string;
  channelId: string;
  topic: string;
  /** Digests of who the body is about, stored at quarantine; absent on entries older than that. */
  identityDigests?: string[] | undefined;
}

export interface QuarantinedBodies {
  /** Entries that still hold a body. */
  withBodies(): Promise<QuarantinedPayload[]>;
  /** The raw body, undefined once erased. */
  body(id: string): Promise<Uint8Array | undefined>;
  /** Drops the body; the entry stays, as the record that a delivery came. */
  eraseBody(id: string): Promise<void>;
}

export interface PrivacyPorts {
  customers: CustomerRepository;
  store: PrivacyStore;
  quarantine: QuarantinedBodies;
}

export interface RedactionReport {
  customerIds: string[];
  ordersErased: number;
  quarantineErased: number;
}

function defined<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null && value !== '';
}

/**
 * The customers a request names. A channel customer id or an email names a
 * person; a phone only when neither names anyone, since a shared phone (a
 * household, an office) must not erase someone else. The phone is tried as
 * written and as the national number it may have been stored as.
 */
async function customersNamed(customers: CustomerRepository, channelId: string, subject: PrivacySubject): Promise<string[]> {
  const byStrongIdentity = await Promise.all([
    subject.channelCustomerId ? customers.findCustomer(channelId, { channelCustomerId: subject.channelCustomerId, orderIds: [] }) : undefined,
    subject.email ? customers.findCustomer(channelId, { email: subject.email, orderIds: [] }) : undefined,
  ]);
  const named = [...new Set(byStrongIdentity.filter(defined))];
  if (named.length > 0 || !subject.phone) return named;
  for (const phone of phoneSpellings(subject.phone)) {
    const id = await customers.findCustomer(channelId, { phone, orderIds: [] });
    if (id !== undefined) return [id];
  }
  return [];
}

async function saveRedacted(customers: CustomerRepository, profile: CustomerProfile, now: string): Promise<void> {
  let current: CustomerProfile | undefined = profile;
  for (let attempt = 0; attempt < 5 && current; attempt += 1) {
    try {
      await customers.saveProfile(redactedProfile(current, now), current.rev);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      current = await customers.getProfile(profile.id);
    }
  }
  if (current) throw new ConflictError(`could not redact customer ${profile.id}: it kept changing`);
}

async function heldDigests(quarantine: QuarantinedBodies, entry: QuarantinedPayload): Promise<string[]> {
  if (entry.identityDigests) return entry.identityDigests;
  const raw = await quarantine.body(entry.id);
  return raw ? heldTokens(entry.channelId, identitiesInPayload({ topic: entry.topic, raw })).map(tokenDigest) : [];
}

async function eraseQuarantinedAbout(quarantine: QuarantinedBodies, person: PersonToErase): Promise<number> {
  const sought = new Set(soughtTokens(person).map(tokenDigest));
  if (sought.size === 0) return 0;
  let erased = 0;
  for (const entry of await quarantine.withBodies()) {
    if (concerns(await heldDigests(quarantine, entry), sought)) {
      await quarantine.eraseBody(entry.id);
      erased += 1;
    }
  }
  return erased;
}

/**
 * customers/redact: the person's name, email, phone, addresses, raw payloads
 * (quarantined ones included) and exports go; their orders keep anonymous
 * amounts, codes and lines (product names and SKUs say what was sold, not who bought it).
 */
export async function redactPerson(
  ports: PrivacyPorts,
  request: { channelId: string; subject: PrivacySubject; now: string },
): Promise<RedactionReport> {
  const { customers, store } = ports;
  const { channelId, subject, now } = request;
  const person: PersonToErase = {
    emails: [subject.email].filter(defined),
    phones: [subject.phone].filter(defined),
    customers: subject.channelCustomerId ? [{ channelId, customerId: subject.channelCustomerId }] : [],
    orders: subject.orderIds.map((orderId) => ({ channelId, orderId })),
  };
  const customerIds = await customersNamed(customers, channelId, subject);
  let ordersErased = 0;
  for (const customerId of customerIds) {
    const profile = await customers.getProfile(customerId);
    if (!profile) continue;
    // Read before the profile forgets them: payloads elsewhere are found by them.
    person.emails.push(...[profile.email].filter(defined));
    person.phones.push(...[profile.phone].filter(defined));
    person.customers.push(...Object.entries(profile.channelCustomerIds).map(([channel, id]) => ({ channelId: channel, customerId: id })));
    for (const order of await store.ordersOfCustomer(customerId)) {
      person.orders.push({ channelId: order.channelId, orderId: order.orderId });
      await store.eraseOrderPayload(order, now);
      ordersErased += 1;
    }
    await store.forgetIdentities(profile);
    await saveRedacted(customers, profile, now);
    await store.deleteExports({ customerId });
    await store.eraseCampaignTraces(customerId, now);
  }
  // Orders Shopify names may belong to a guest checkout huitou never tied to a customer.
  for (const orderId of subject.orderIds) {
    const order = await customers.getOrder(channelId, orderId);
    if (order && (order.customerId === undefined || !customerIds.includes(order.customerId))) {
      await store.eraseOrderPayload(order, now);
      ordersErased += 1;
    }
  }
  const quarantineErased = await eraseQuarantinedAbout(ports.quarantine, person);
  return { customerIds, ordersErased, quarantineErased };
}

/** customers/data_request: everything huitou holds on the person, for staff to send on. */
export async function exportPersonData(
  ports: PrivacyPorts,
  request: { channelId: string; requestId: string; subject: PrivacySubject; now: string },
): Promise<DataExport> {
  const { customers, store } = ports;
  const customerId = await customers.findCustomer(request.channelId, request.subject);
  const customer = customerId ? ((await customers.getProfile(customerId)) ?? null) : null;
  const orders = customerId ? await store.ordersOfCustomer(customerId) : [];
  return store.saveExport({
    channelId: request.channelId,
    requestId: request.requestId,
    customerId: customerId ?? null,
    createdAt: request.now,
    customer,
    orders,
  });
}

/**
 * shop/redact: the channel's orders lose their payloads, people known only
 * through this channel are redacted, others lose their link to it, its
 * quarantined bodies and exports go, and the channel keeps no secret or token.
 */
export async function redactShop(
  ports: PrivacyPorts,
  request: { channelId: string; now: string },
): Promise<{ orders: number; customers: number }> {
  const { customers, store, quarantine } = ports;
  const { channelId, now } = request;
  const orders = await store.ordersOfChannel(channelId);
  for (const order of orders) await store.eraseOrderPayload(order, now);

  const people = await store.customersOfChannel(channelId);
  for (const profile of people) {
    if (profile.channels.every((id) => id === channelId)) {
      await store.forgetIdentities(profile);
      await saveRedacted(customers, profile, now);
      continue;
    }
    const channelCustomerId = profile.channelCustomerIds[channelId];
    if (channelCustomerId !== undefined) await store.forgetIdentities({ channelCustomerIds: { [channelId]: channelCustomerId } });
    const { [channelId]: _dropped, ...otherIds } = profile.channelCustomerIds;
    await customers.saveProfile(
      { ...profile, channelCustomerIds: otherIds, channels: profile.channels.filter((id) => id !== channelId) },
      profile.rev,
    );
  }
  for (const entry of await quarantine.withBodies()) {
    if (entry.channelId === channelId) await quarantine.eraseBody(entry.id);
  }
  await store.deleteExports({ channelId });
  await store.redactChannel(channelId, now);
  return { orders: orders.length, customers: people.length };
}
