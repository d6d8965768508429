// The ingest use case: one verified delivery, taken off the queue, becomes
// orders, customers and figures, a privacy action, or a quarantine entry. A
// body that cannot be used as sent is quarantined (the delivery succeeds); only
// a failure a retry may fix is thrown, so the queue redelivers it.
import type { ChannelEvent } from '../domain/model';
import {
  normalizeBigCommerceCustomer,
  normalizeBigCommerceOrder,
  normalizeWebhook,
  type NormalizeResult,
} from '../domain/normalize/index';
import type { CustomerRepository, DeliveryRef, ReceivedDelivery } from '../domain/ports';
import { payloadDigests } from '../domain/privacy';
import type { QuarantineEntry } from '../domain/quarantine';
import type { OrderRecord } from '../domain/orders';
import { StoreRefusedError } from '../shared/errors';
import { exportPersonData, redactPerson, redactShop, type PrivacyPorts } from './privacy';
import { recordCustomerFacts, recordOrderChange } from './record-events';

/** A delivery as the queue holds it; where its body waits is the body port's business. */
export interface QueuedDelivery extends ReceivedDelivery {
  /** The quarantine entry this delivery replays. */
  replayOf?: string | undefined;
}

/** Where a store's API is and the token it takes. */
export interface StoreApiAccess {
  apiBaseUrl: string;
  apiToken: string;
}

/** What ingest needs of a channel. */
export interface IngestChannel {
  id: string;
  status: 'active' | 'redacted';
  apiBaseUrl?: string | undefined;
  apiToken?: string | undefined;
}


export interface IngestPorts<D extends QueuedDelivery> {
  channels: { get(channelId: string): Promise<IngestChannel | undefined> };
  /** The raw body of a delivery, and its release once the body lives on elsewhere. */
  bodies: {
    /** Undefined only for a replay whose quarantined body a privacy request erased. */
    read(delivery: D): Promise<Buffer | undefined>;
    discard(delivery: D): Promise<void>;
  };
  quarantine: {
    idOf(channelId: string, deliveryId: string): string;
    put(entry: QuarantineEntry, body: Buffer): Promise<void>;
    markResolved(entryId: string): Promise<void>;
  };
  customers: CustomerRepository;
  privacy: PrivacyPorts;
  /** BigCommerce bodies carry ids only; the order or customer is fetched. Throws StoreRefusedError for a refusal. */
  storeApi: {
    fetchOrder(access: StoreApiAccess, orderId: string): Promise<unknown>;
    fetchCustomer(access: StoreApiAccess, customerId: string): Promise<unknown>;
  };
  /** A customer whose orders changed is scored again at once, with the current model. */
  scores: { refresh(customerId: string): Promise<void> };
  /** Campaign attribution of a stored order: redeemed codes and conversions, each counted once. */
  attribution: { orderChanged(order: OrderRecord): Promise<void> };
  now(): Date;
}

export type IngestResult =
  | { result: 'skipped'; why: 'channel removed' | 'body erased' }
  | { result: 'processed'; kind: ChannelEvent['kind']; outcome: string }
  | { result: 'quarantined'; reason: string; issues: string[] };

/** A delivery huitou cannot use as sent: kept for staff, never retried blindly. */
class Unusable {
  constructor(
    readonly reason: string,
    readonly issues: string[] = [],
  ) {}
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Unusable('body is not JSON');
  }
}

function eventOf(result: NormalizeResult): ChannelEvent {
  if (!result.ok) throw new Unusable(result.reason, result.issues);
  return result.event;
}

function storeApiOf(channel: IngestChannel): StoreApiAccess {
  if (!channel.apiBaseUrl || !channel.apiToken) {
    throw new Unusable('channel has no BigCommerce API base URL or token to fetch the resource');
  }
  return { apiBaseUrl: channel.apiBaseUrl, apiToken: channel.apiToken };
}

async function fetched(load: () => Promise<unknown>): Promise<unknown> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof StoreRefusedError) throw new Unusable(error.message);
    throw error;
  }
}

interface Applying<D extends QueuedDelivery> {
  ports: IngestPorts<D>;
  delivery: D;
  channel: IngestChannel;
  now: string;
}

/** The event's effect; the outcome names what happened (created, unchanged, redacted...). */
async function apply<D extends QueuedDelivery>(
  { ports, delivery, channel, now }: Applying<D>,
  event: ChannelEvent,
  raw: Buffer,
): Promise<{ kind: ChannelEvent['kind']; outcome: string }> {
  const source: DeliveryRef = {
    deliveryId: delivery.deliveryId,
    eventId: delivery.eventId,
    topic: delivery.topic,
    receivedAt: delivery.receivedAt,
  };
  const done = (outcome: string) => ({ kind: event.kind, outcome });
  switch (event.kind) {
    case 'order':
    case 'refund':
    case 'order-removed': {
      const result = await recordOrderChange(ports.customers, {
        platform: delivery.platform,
        change: event,
        delivery: source,
        raw,
        now,
      });
      if (typeof result !== 'string') throw new Unusable(result.reason, result.issues);
      const { channelId, orderId } = event.kind === 'order' ? event.order : event.kind === 'refund' ? event.refund : event;
      const stored = await ports.customers.getOrder(channelId, orderId);
      if (stored?.customerId !== undefined) {
        if (result !== 'unchanged') await ports.scores.refresh(stored.customerId);
        // Also for an unchanged order: a retry after attribution failed must still attribute.
        // It only reads when everything is already counted.
        await ports.attribution.orderChanged(stored);
      }
      return done(result);
    }
    case 'customer':
      return done(
        await recordCustomerFacts(ports.customers, {
          channelId: event.channelId,
          facts: event.customer,
          observedAt: event.updatedAt,
          now,
        }),
      );
    case 'fetch-order': {
      const order = await fetched(() => ports.storeApi.fetchOrder(storeApiOf(channel), event.orderId));
      const next = eventOf(normalizeBigCommerceOrder(order, { channelId: channel.id }));
      return apply({ ports, delivery, channel, now }, next, Buffer.from(JSON.stringify(order)));
    }
    case 'fetch-customer': {
      const customer = await fetched(() => ports.storeApi.fetchCustomer(storeApiOf(channel), event.customerId));
      const next = eventOf(normalizeBigCommerceCustomer(customer, { channelId: channel.id }));
      return apply({ ports, delivery, channel, now }, next, raw);
    }
    case 'redact-customer':
      await redactPerson(ports.privacy, { channelId: event.channelId, subject: event.subject, now });
      return done('redacted');
    case 'data-request':
      await exportPersonData(ports.privacy, {
        channelId: event.channelId,
        requestId: event.requestId,
        subject: event.subject,
        now,
      });
      return done('exported');
    case 'redact-shop':
      await redactShop(ports.privacy, { channelId: event.channelId, now });
      return done('redacted');
    case 'ignored':
      return done('ignored');
  }
}

/**
 * Applies one delivery. Safe to repeat: every effect is idempotent, so a
 * redelivery after a crash changes nothing twice. Throws only what a retry may fix.
 */
export async function ingestDelivery<D extends QueuedDelivery>(ports: IngestPorts<D>, delivery: D): Promise<IngestResult> {
  const channel = await ports.channels.get(delivery.channelId);
  if (!channel || channel.status !== 'active') {
    await ports.bodies.discard(delivery);
    return { result: 'skipped', why: 'channel removed' };
  }
  const raw = await ports.bodies.read(delivery);
  if (raw === undefined) return { result: 'skipped', why: 'body erased' };
  const now = ports.now().toISOString();
  let result: IngestResult;
  try {
    const event = eventOf(
      normalizeWebhook({
        platform: delivery.platform,
        topic: delivery.topic,
        channelId: delivery.channelId,
        body: parseJson(raw),
        receivedAt: delivery.receivedAt,
      }),
    );
    result = { result: 'processed', ...(await apply({ ports, delivery, channel, now }, event, raw)) };
    if (delivery.replayOf) await ports.quarantine.markResolved(delivery.replayOf);
  } catch (error) {
    if (!(error instanceof Unusable)) throw error;
    await ports.quarantine.put(
      {
        id: delivery.replayOf ?? ports.quarantine.idOf(delivery.channelId, delivery.deliveryId),
        channelId: delivery.channelId,
        platform: delivery.platform,
        topic: delivery.topic,
        deliveryId: delivery.deliveryId,
        eventId: delivery.eventId,
        receivedAt: delivery.receivedAt,
        reason: error.reason,
        issues: error.issues,
        status: 'open',
        updatedAt: now,
        identityDigests: payloadDigests({ channelId: delivery.channelId, topic: delivery.topic, raw }),
      },
      raw,
    );
    result = { result: 'quarantined', reason: error.reason, issues: error.issues };
  }
  await ports.bodies.discard(delivery);
  return result;
}
