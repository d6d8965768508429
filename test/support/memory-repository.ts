// An in-memory CustomerRepository with the same conditional-write rules as the
// DynamoDB one, so use cases can be tested without AWS or module mocking.
import { newProfile, type Counters, type CustomerProfile, type PurchaseDay } from '../../functions/domain/customers';
import type { CustomerFacts, PrivacySubject } from '../../functions/domain/model';
import type { OrderRecord } from '../../functions/domain/orders';
import type { CodeUse, CustomerRepository, OrderWrite } from '../../functions/domain/ports';
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

/** Map of maps, created on first use. */
function within<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

export class MemoryRepository implements CustomerRepository {
  readonly orders = new Map<string, OrderRecord>();
  readonly profiles = new Map<string, CustomerProfile>();
  readonly identities = new Map<string, string>();
  readonly raws = new Map<string, Uint8Array>();
  /** customerId -> day -> times, as the DAY# items beside the profile. */
  readonly days = new Map<string, Map<string, number[]>>();
  /** customerId -> code -> count, as the CODE# items beside the profile. */
  readonly codes = new Map<string, Map<string, number>>();
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

  async getCounters(customerId: string, keys: { days: string[]; codes: string[] }): Promise<Counters> {
    await tick();
    const days = within(this.days, customerId);
    const codes = within(this.codes, customerId);
    const counters: Counters = { days: {}, codes: {} };
    for (const day of keys.days) {
      const times = days.get(day);
      if (times) counters.days[day] = [...times];
    }
    for (const code of keys.codes) {
      const count = codes.get(code);
      if (count !== undefined) counters.codes[code] = count;
    }
    return counters;
  }

  async listPurchaseDays(customerId: string, options: { newestFirst?: boolean; limit?: number } = {}): Promise<PurchaseDay[]> {
    await tick();
    const days = [...within(this.days, customerId)]
      .map(([day, times]) => ({ day, times: [...times] }))
      .sort((a, b) => (a.day < b.day ? -1 : 1));
    if (options.newestFirst) days.reverse();
    return days.slice(0, options.limit ?? days.length);
  }

  async listDiscountCodes(customerId: string): Promise<CodeUse[]> {
    await tick();
    return [...within(this.codes, customerId)]
      .map(([code, orders]) => ({ code, orders }))
      .sort((a, b) => (a.code < b.code ? -1 : 1));
  }

  async saveOrder(write: OrderWrite): Promise<void> {
    await tick();
    const key = `${write.order.channelId}#${write.order.orderId}`;
    const stored = this.orders.get(key);
    if ((stored?.version ?? undefined) !== (write.previous?.version ?? undefined) || (!!stored !== !!write.previous)) {
      throw new ConflictError('order moved');
    }
    const { profile } = write;
    if (profile) {
      if (this.profiles.get(profile.next.id)?.rev !== profile.expectedRev) throw new ConflictError('profile moved');
      // Conditions as the adapter's: each item still holds the count it was read with.
      const days = within(this.days, profile.next.id);
      const codes = within(this.codes, profile.next.id);
      if (profile.days.some((change) => (days.get(change.day)?.length ?? 0) !== change.before.length)) {
        throw new ConflictError('purchase day moved');
      }
      if (profile.codes.some((change) => (codes.get(change.code) ?? 0) !== change.before)) {
        throw new ConflictError('discount code count moved');
      }
      for (const change of profile.days) {
        if (change.after.length > 0) days.set(change.day, [...change.after]);
        else days.delete(change.day);
      }
      for (const change of profile.codes) {
        if (change.after > 0) codes.set(change.code, change.after);
        else codes.delete(change.code);
      }
      this.profiles.set(profile.next.id, { ...structuredClone(profile.next), rev: profile.expectedRev + 1 });
    }
    this.orders.set(key, { ...structuredClone(write.order), version: (write.previous?.version ?? 0) + 1 });
    if (write.raw) this.raws.set(key, write.raw);
  }

  async saveProfile(next: CustomerProfile, expectedRev: number): Promise<void> {
    await tick();
    if (this.profiles.get(next.id)?.rev !== expectedRev) throw new ConflictError('profile moved');
    this.profiles.set(next.id, { ...structuredClone(next), rev: expectedRev + 1 });
  }
}
