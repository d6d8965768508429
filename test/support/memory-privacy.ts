// In-memory ports of the privacy use cases, beside MemoryRepository: what the
// DynamoDB adapters store, kept in maps the tests can look into.
import type { DataExport, OrderRef, PrivacyPorts, PrivacyStore, QuarantinedBodies, QuarantinedPayload } from '../../functions/app/privacy';
import type { CustomerProfile } from '../../functions/domain/customers';
import type { OrderRecord } from '../../functions/domain/orders';
import { MemoryRepository } from './memory-repository';

export class MemoryPrivacyStore implements PrivacyStore {
  readonly erasedPayloads: string[] = [];
  readonly exports = new Map<string, DataExport>();
  readonly redactedChannels: string[] = [];

  constructor(private readonly repo: MemoryRepository) {}

  async ordersOfCustomer(customerId: string): Promise<OrderRecord[]> {
    return [...this.repo.orders.values()].filter((order) => order.customerId === customerId);
  }

  async ordersOfChannel(channelId: string): Promise<OrderRef[]> {
    return [...this.repo.orders.values()].filter((order) => order.channelId === channelId);
  }

  async customersOfChannel(channelId: string): Promise<CustomerProfile[]> {
    return [...this.repo.profiles.values()].filter((profile) => profile.channels.includes(channelId)).map((p) => structuredClone(p));
  }

  async eraseOrderPayload(order: OrderRef): Promise<void> {
    this.repo.raws.delete(`${order.channelId}#${order.orderId}`);
    this.erasedPayloads.push(`${order.channelId}#${order.orderId}`);
  }

  async forgetIdentities(who: Pick<CustomerProfile, 'channelCustomerIds' | 'email' | 'phone'>): Promise<void> {
    for (const [channelId, id] of Object.entries(who.channelCustomerIds)) this.repo.identities.delete(`cc:${channelId}:${id}`);
    if (who.email) this.repo.identities.delete(`email:${who.email}`);
    if (who.phone) this.repo.identities.delete(`phone:${who.phone}`);
  }

  async deleteExports(of: { customerId: string } | { channelId: string }): Promise<void> {
    for (const [id, saved] of this.exports) {
      if ('customerId' in of ? saved.customerId === of.customerId : saved.channelId === of.channelId) this.exports.delete(id);
    }
  }

  /** Customers whose campaign traces were erased, with when. */
  readonly campaignTracesErased: { customerId: string; at: string }[] = [];

  async eraseCampaignTraces(customerId: string, at: string): Promise<void> {
    this.campaignTracesErased.push({ customerId, at });
  }

  async saveExport(draft: Omit<DataExport, 'id'>): Promise<DataExport> {
    const saved = { id: `exp_${draft.channelId}_${draft.requestId}`, ...draft };
    this.exports.set(saved.id, saved);
    return saved;
  }

  async redactChannel(channelId: string): Promise<void> {
    this.redactedChannels.push(channelId);
  }
}

export class MemoryQuarantine implements QuarantinedBodies {
  readonly entries = new Map<string, QuarantinedPayload & { body: Uint8Array | undefined }>();

  add(entry: QuarantinedPayload, body: string): void {
    this.entries.set(entry.id, { ...entry, body: Buffer.from(body) });
  }

  async withBodies(): Promise<QuarantinedPayload[]> {
    return [...this.entries.values()].filter((entry) => entry.body !== undefined).map(({ body: _body, ...entry }) => entry);
  }

  async body(id: string): Promise<Uint8Array | undefined> {
    return this.entries.get(id)?.body;
  }

  async eraseBody(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry) entry.body = undefined;
  }

  bodyOf(id: string): string | undefined {
    const body = this.entries.get(id)?.body;
    return body ? Buffer.from(body).toString('utf8') : undefined;
  }
}

export function memoryPrivacyPorts(): PrivacyPorts & { repo: MemoryRepository; memoryStore: MemoryPrivacyStore; memoryQuarantine: MemoryQuarantine } {
  const repo = new MemoryRepository();
  const memoryStore = new MemoryPrivacyStore(repo);
  const memoryQuarantine = new MemoryQuarantine();
  return { customers: repo, store: memoryStore, quarantine: memoryQuarantine, repo, memoryStore, memoryQuarantine };
}
