// An in-memory CustomerRepository with the same conditional-write rules as the
// DynamoDB one, so use cases can be tested without AWS or module mocking.
import { newProfile, type CustomerProfile } from '../../functions/domain/customers';
import type { CustomerFacts, PrivacySubject } from '../../functions/domain/model';
import type { OrderRecord } from '../../functions/domain/orders';
import type { CustomerRepository, OrderWrite } from '../../functions/domain/ports';
import { ConflictError } from '../../functions/shared/errors';

function identities(channelId: string, who: Pick<CustomerFacts, 'channelCustomerId' | 'email' | 'phone'>): string[] {
  return [
    who.channelCustomerId ? `cc:${channelId}:${who.channelCustomerId}` : undefined,
    who.email ? `email:${who.email}` : undefined,
    who.phone ? `phone:${who.phone}` : undefined,
  ].filter((key): key is string => key !== undefined);
}

/** Yields to the event loop, so concurrent use cases interleave as they would on DynamoDB. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class MemoryRepository implements CustomerRepository {
  readonly orders = new Map<string, OrderRecord>();
  readonly profiles = new Map<string, CustomerProfile>();
  readonly identities = new Map<string, string>();
  readonly raws = new Map<string, Uint8Array>();
  private nextId = 1;

  async resolveCustomer(channelId: string, facts: CustomerFacts, now: string): Promise<string | undefined> {
    const keys = identities(channelId, facts);
    if (keys.length === 0) return undefined;
    const deciding = identities(channelId, facts.email ? { ...facts, phone: undefined } : facts);
    await tick();
    const owner = deciding.map((key) => this.identities.get(key)).find((id) => id !== undefined);
    const customerId = owner ?? `cus_${this.nextId++}`;
    if (!owner) this.profiles.set(customerId, newProfile(customerId, now));
    for (const key of keys) if (!this.identities.has(key)) this.identities.set(key, customerId);
    return customerId;
  }

  async findCustomer(channelId: string, subject: PrivacySubject): Promise<string | undefined> {
    return identities(channelId, subject).map((key) => this.identities.get(key)).find((id) => id !== undefined);
  }

  async getOrder(channelId: string, orderId: string): Promise<OrderRecord | undefined> {
    await tick();
    const order = this.orders.get(`${channelId}#${orderId}`);
    return order ? structuredClone(order) : undefined;
  }

  async getProfile(customerId: string): Promise<CustomerProfile | undefined> {
    await tick();
    const profile = this.profiles.get(customerId);
    return profile ? structuredClone(profile) : undefined;
  }

  async saveOrder(write: OrderWrite): Promise<void> {
    await tick();
    const key = `${write.order.channelId}#${write.order.orderId}`;
    const stored = this.orders.get(key);
    if ((stored?.version ?? undefined) !== (write.previous?.version ?? undefined) || (!!stored !== !!write.previous)) {
      throw new ConflictError('order moved');
    }
    if (write.profile && this.profiles.get(write.profile.next.id)?.rev !== write.profile.expectedRev) {
      throw new ConflictError('profile moved');
    }
    this.orders.set(key, { ...structuredClone(write.order), version: (write.previous?.version ?? 0) + 1 });
    if (write.raw) this.raws.set(key, write.raw);
    if (write.profile) {
      this.profiles.set(write.profile.next.id, { ...structuredClone(write.profile.next), rev: write.profile.expectedRev + 1 });
    }
  }

  async saveProfile(next: CustomerProfile, expectedRev: number): Promise<void> {
    await tick();
    if (this.profiles.get(next.id)?.rev !== expectedRev) throw new ConflictError('profile moved');
    this.profiles.set(next.id, { ...structuredClone(next), rev: expectedRev + 1 });
  }
}
