import { describe, expect, it } from 'vitest';
import { exportPersonData, redactPerson, redactShop } from '../../functions/app/privacy';
import type { NormalizedOrder } from '../../functions/domain/model';
import { payloadDigests } from '../../functions/domain/privacy';
import { recordOrderChange } from '../../functions/app/record-events';
import { ConflictError } from '../../functions/shared/errors';
import { anOrder } from '../support/builders';
import { memoryPrivacyPorts } from '../support/memory-privacy';

const now = '2026-04-01T00:00:00.000Z';
const delivery = { deliveryId: 'd1', topic: 'orders/create', receivedAt: '2026-03-01T15:00:00Z' };

type Ports = ReturnType<typeof memoryPrivacyPorts>;

async function ordered(ports: Ports, order: NormalizedOrder): Promise<string> {
  await recordOrderChange(ports.repo, { platform: 'shopify', change: { kind: 'order', order }, delivery, raw: Buffer.from('{}'), now });
  return ports.repo.orders.get(`${order.channelId}#${order.orderId}`)!.customerId!;
}

/** A quarantined body with its digests stored, as the processor quarantines it today. */
function quarantined(ports: Ports, id: string, channelId: string, body: unknown) {
  const text = JSON.stringify(body);
  const identityDigests = payloadDigests({ channelId, topic: 'orders/create', raw: Buffer.from(text) });
  ports.memoryQuarantine.add({ id, channelId, topic: 'orders/create', identityDigests }, text);
}

/** The contact fields of a stored profile, undefined where erased. */
function contact(ports: Ports, customerId: string) {
  const { email, phone, firstName, redactedAt } = ports.repo.profiles.get(customerId)!;
  return { email, phone, firstName, redactedAt };
}

const subject = (fields: { channelCustomerId?: string; email?: string; phone?: string; orderIds?: string[] }) => ({ orderIds: [], ...fields });

describe('Use case: redactPerson', () => {
  it('erases the profile, identities, order payloads, exports and quarantined bodies of the person named by email', async () => {
    const ports = memoryPrivacyPorts();
    const ada = await ordered(ports, anOrder({ orderId: '1001' }));
    await ordered(ports, anOrder({ orderId: '1002', channelId: 'ch_other', customer: { email: 'ada@example.com' } }));
    await ordered(ports, anOrder({ orderId: '2001', customer: { channelCustomerId: '77', email: 'bob@example.com' } }));
    await exportPersonData(ports, { channelId: 'ch_shop', requestId: 'r1', subject: subject({ email: 'ada@example.com' }), now });
    quarantined(ports, 'q_ada', 'ch_shop', { note: 'Ada <ADA@example.com>' });
    quarantined(ports, 'q_bob', 'ch_shop', { email: 'bob@example.com' });

    const report = await redactPerson(ports, { channelId: 'ch_shop', subject: subject({ channelCustomerId: '42', email: 'ada@example.com' }), now });

    expect(report).toEqual({ customerIds: [ada], ordersErased: 2, quarantineErased: 1 });
    expect(contact(ports, ada)).toEqual({ email: undefined, phone: undefined, firstName: undefined, redactedAt: now });
    expect(ports.repo.profiles.get(ada)!.channelCustomerIds).toEqual({});
    expect([...ports.repo.identities.values()]).not.toContain(ada);
    expect(ports.memoryStore.erasedPayloads.sort()).toEqual(['ch_other#1002', 'ch_shop#1001']);
    expect(ports.memoryStore.exports.size).toBe(0);
    expect(ports.memoryStore.campaignTracesErased).toEqual([{ customerId: ada, at: now }]);
    expect(ports.memoryQuarantine.bodyOf('q_ada')).toBeUndefined();
    expect(ports.memoryQuarantine.bodyOf('q_bob')).toBeDefined();
  });

  it('finds a customer stored under the national form of the international phone it is asked for', async () => {
    const ports = memoryPrivacyPorts();
    const guest = await ordered(ports, anOrder({ customer: { phone: '4155550134', firstName: 'Ana' } }));

    const report = await redactPerson(ports, { channelId: 'ch_shop', subject: subject({ channelCustomerId: '9', phone: '+14155550134' }), now });

    expect(report.customerIds).toEqual([guest]);
    expect(contact(ports, guest)).toEqual({ email: undefined, phone: undefined, firstName: undefined, redactedAt: now });
  });

  it('lets a phone decide nothing when an email already names the person', async () => {
    const ports = memoryPrivacyPorts();
    const ada = await ordered(ports, anOrder({ orderId: '1', customer: { email: 'ada@example.com' } }));
    const household = await ordered(ports, anOrder({ orderId: '2', customer: { phone: '+14155550134', firstName: 'Kim' } }));

    const report = await redactPerson(ports, { channelId: 'ch_shop', subject: subject({ email: 'ada@example.com', phone: '+14155550134' }), now });

    expect(report.customerIds).toEqual([ada]);
    expect(ports.repo.profiles.get(household)).toMatchObject({ firstName: 'Kim' });
  });

  it('redacts both customers when the channel customer id and the email name different ones', async () => {
    const ports = memoryPrivacyPorts();
    const byId = await ordered(ports, anOrder({ orderId: '1', customer: { channelCustomerId: '42', email: 'old@example.com' } }));
    const byEmail = await ordered(ports, anOrder({ orderId: '2', customer: { email: 'new@example.com' } }));

    const report = await redactPerson(ports, { channelId: 'ch_shop', subject: subject({ channelCustomerId: '42', email: 'new@example.com' }), now });

    expect(report.customerIds.sort()).toEqual([byId, byEmail].sort());
  });

  it('erases a guest order Shopify names, and quarantined bodies of that order or of the person\'s orders', async () => {
    const ports = memoryPrivacyPorts();
    const ada = await ordered(ports, anOrder({ orderId: '1001' }));
    await ordered(ports, anOrder({ orderId: '3001', customer: {} }));
    quarantined(ports, 'q_update', 'ch_shop', { id: 1001, total_price: '-1' });
    quarantined(ports, 'q_guest', 'ch_shop', { id: 3001, billing_address: { name: 'Ana' } });
    quarantined(ports, 'q_elsewhere', 'ch_other', { id: 3001 });

    const report = await redactPerson(ports, { channelId: 'ch_shop', subject: subject({ email: 'ada@example.com', orderIds: ['3001'] }), now });

    expect(report).toMatchObject({ customerIds: [ada], ordersErased: 2, quarantineErased: 2 });
    expect(ports.memoryStore.erasedPayloads).toContain('ch_shop#3001');
    expect(ports.memoryQuarantine.bodyOf('q_update')).toBeUndefined();
    expect(ports.memoryQuarantine.bodyOf('q_guest')).toBeUndefined();
    expect(ports.memoryQuarantine.bodyOf('q_elsewhere')).toBeDefined();
  });

  it('reads a quarantined body that has no stored digests, and finds the person in it', async () => {
    const ports = memoryPrivacyPorts();
    ports.memoryQuarantine.add({ id: 'q_old', channelId: 'ch_shop', topic: 'orders/create' }, '{"phone": "+1 (415) 555-0134", broken');
    ports.memoryQuarantine.add({ id: 'q_other', channelId: 'ch_shop', topic: 'orders/create' }, '{"phone": "+1 (212) 555-0100"}');

    const report = await redactPerson(ports, { channelId: 'ch_shop', subject: subject({ phone: '4155550134' }), now });

    expect(report).toEqual({ customerIds: [], ordersErased: 0, quarantineErased: 1 });
    expect(ports.memoryQuarantine.bodyOf('q_old')).toBeUndefined();
    expect(ports.memoryQuarantine.bodyOf('q_other')).toBeDefined();
  });

  it('erases no quarantined body when the request names nobody', async () => {
    const ports = memoryPrivacyPorts();
    quarantined(ports, 'q_1', 'ch_shop', { id: 1, email: 'ada@example.com' });

    const report = await redactPerson(ports, { channelId: 'ch_shop', subject: subject({}), now });

    expect(report.quarantineErased).toBe(0);
    expect(ports.memoryQuarantine.bodyOf('q_1')).toBeDefined();
  });

  it('writes the redacted profile again when it changed meanwhile', async () => {
    const ports = memoryPrivacyPorts();
    const ada = await ordered(ports, anOrder());
    const save = ports.repo.saveProfile.bind(ports.repo);
    let conflicts = 1;
    ports.repo.saveProfile = async (next, rev) => {
      if (conflicts-- > 0) throw new ConflictError('profile moved');
      return save(next, rev);
    };

    await redactPerson(ports, { channelId: 'ch_shop', subject: subject({ email: 'ada@example.com' }), now });

    expect(contact(ports, ada)).toEqual({ email: undefined, phone: undefined, firstName: undefined, redactedAt: now });
  });

  it('gives up with a ConflictError when the profile keeps changing', async () => {
    const ports = memoryPrivacyPorts();
    await ordered(ports, anOrder());
    ports.repo.saveProfile = async () => {
      throw new ConflictError('profile moved');
    };

    await expect(redactPerson(ports, { channelId: 'ch_shop', subject: subject({ email: 'ada@example.com' }), now })).rejects.toThrow(
      /kept changing/,
    );
  });
});

describe('Use case: exportPersonData', () => {
  it('saves what huitou holds on the person: the profile and every order', async () => {
    const ports = memoryPrivacyPorts();
    const ada = await ordered(ports, anOrder({ orderId: '1' }));
    await ordered(ports, anOrder({ orderId: '2' }));

    const saved = await exportPersonData(ports, { channelId: 'ch_shop', requestId: 'r9', subject: subject({ email: 'ada@example.com' }), now });

    expect(saved).toMatchObject({ channelId: 'ch_shop', requestId: 'r9', customerId: ada, createdAt: now, customer: { email: 'ada@example.com' } });
    expect(saved.orders.map((order) => order.orderId).sort()).toEqual(['1', '2']);
    expect(ports.memoryStore.exports.get(saved.id)).toEqual(saved);
  });

  it('saves an empty export for someone huitou does not know', async () => {
    const ports = memoryPrivacyPorts();

    const saved = await exportPersonData(ports, { channelId: 'ch_shop', requestId: 'r1', subject: subject({ email: 'who@example.com' }), now });

    expect(saved).toMatchObject({ customerId: null, customer: null, orders: [] });
  });
});

describe('Use case: redactShop', () => {
  it('redacts people known only there, unlinks the others, and erases the channel\'s payloads, bodies and exports', async () => {
    const ports = memoryPrivacyPorts();
    const only = await ordered(ports, anOrder({ orderId: '1', customer: { channelCustomerId: '1', email: 'only@example.com' } }));
    const both = await ordered(ports, anOrder({ orderId: '2', customer: { channelCustomerId: '2', email: 'both@example.com' } }));
    await ordered(ports, anOrder({ orderId: '3', channelId: 'ch_stays', customer: { email: 'both@example.com' } }));
    await exportPersonData(ports, { channelId: 'ch_shop', requestId: 'r1', subject: subject({ email: 'only@example.com' }), now });
    await exportPersonData(ports, { channelId: 'ch_stays', requestId: 'r2', subject: subject({ email: 'both@example.com' }), now });
    quarantined(ports, 'q_gone', 'ch_shop', { id: 9 });
    quarantined(ports, 'q_stays', 'ch_stays', { id: 9 });

    const result = await redactShop(ports, { channelId: 'ch_shop', now });

    expect(result).toEqual({ orders: 2, customers: 2 });
    expect(contact(ports, only)).toEqual({ email: undefined, phone: undefined, firstName: undefined, redactedAt: now });
    expect(ports.repo.profiles.get(both)).toMatchObject({ email: 'both@example.com', channels: ['ch_stays'], channelCustomerIds: {} });
    expect(ports.repo.identities.get('cc:ch_shop:2')).toBeUndefined();
    expect(ports.repo.identities.get('email:both@example.com')).toBe(both);
    expect(ports.memoryStore.erasedPayloads.sort()).toEqual(['ch_shop#1', 'ch_shop#2']);
    expect([...ports.memoryStore.exports.values()].map((saved) => saved.channelId)).toEqual(['ch_stays']);
    expect(ports.memoryQuarantine.bodyOf('q_gone')).toBeUndefined();
    expect(ports.memoryQuarantine.bodyOf('q_stays')).toBeDefined();
    expect(ports.memoryStore.redactedChannels).toEqual(['ch_shop']);
  });
});
