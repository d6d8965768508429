import { describe, expect, it } from 'vitest';
import { redactPerson, redactShop } from '../../functions/app/privacy';
import { recordOrderChange } from '../../functions/app/record-events';
import type { CustomerProfile } from '../../functions/domain/customers';
import type { NormalizedOrder } from '../../functions/domain/model';
import { payloadDigests } from '../../functions/domain/privacy';
import { ConflictError } from '../../functions/shared/errors';
import { anOrder } from '../support/builders';
import { memoryPrivacyPorts } from '../support/memory-privacy';

const now = '2026-04-01T00:00:00.000Z';
const delivery = { deliveryId: 'd1', topic: 'orders/create', receivedAt: '2026-03-01T15:00:00Z' };

type Ports = ReturnType<typeof memoryPrivacyPorts>;

async function ordered(ports: Ports, order: NormalizedOrder): Promise<string | undefined> {
  await recordOrderChange(ports.repo, { platform: 'shopify', change: { kind: 'order', order }, delivery, raw: Buffer.from('{}'), now });
  return ports.repo.orders.get(`${order.channelId}#${order.orderId}`)!.customerId;
}

/** A quarantined body with its digests stored, as the processor quarantines it. */
function quarantined(ports: Ports, id: string, body: unknown, channelId = 'ch_shop') {
  const text = JSON.stringify(body);
  const identityDigests = payloadDigests({ channelId, topic: 'orders/create', raw: Buffer.from(text) });
  ports.memoryQuarantine.add({ id, channelId, topic: 'orders/create', identityDigests }, text);
}

const subject = (fields: { channelCustomerId?: string; email?: string; phone?: string; orderIds?: string[] }) => ({ orderIds: [], ...fields });
const redact = (ports: Ports, fields: Parameters<typeof subject>[0]) => redactPerson(ports, { channelId: 'ch_shop', subject: subject(fields), now });

describe('Use case: redactPerson, quarantined bodies of the person', () => {
  it('erases bodies with the request\'s email or customer id even when huitou made no customer of them', async () => {
    const ports = memoryPrivacyPorts();
    quarantined(ports, 'q_email', { note: 'from ada@example.com' });
    quarantined(ports, 'q_id', { customer: { id: 42 } });
    quarantined(ports, 'q_other', { note: 'from bob@example.com', customer: { id: 7 } });

    const byEmail = await redact(ports, { email: 'ada@example.com' });
    const byId = await redact(ports, { channelCustomerId: '42' });

    expect([byEmail.quarantineErased, byId.quarantineErased]).toEqual([1, 1]);
    expect(ports.memoryQuarantine.bodyOf('q_email')).toBeUndefined();
    expect(ports.memoryQuarantine.bodyOf('q_id')).toBeUndefined();
    expect(ports.memoryQuarantine.bodyOf('q_other')).toBeDefined();
  });

  it('erases bodies that hold only what the profile knows: its email, phone or customer id on another channel', async () => {
    const ports = memoryPrivacyPorts();
    await ordered(ports, anOrder({ customer: { channelCustomerId: '42', email: 'ada@example.com', phone: '+14155550134' } }));
    await ordered(ports, anOrder({ orderId: '7', channelId: 'ch_other', customer: { channelCustomerId: '99', email: 'ada@example.com' } }));
    quarantined(ports, 'q_email', { note: 'ada@example.com' });
    quarantined(ports, 'q_phone', { phone: '+1 415 555 0134' });
    quarantined(ports, 'q_id', { customer_id: 99 }, 'ch_other');
    quarantined(ports, 'q_other', { customer_id: 43, email: 'bob@example.com' });

    const report = await redact(ports, { channelCustomerId: '42' });

    expect(report.quarantineErased).toBe(3);
    expect(ports.memoryQuarantine.bodyOf('q_other')).toBeDefined();
  });

  it('trusts the digests stored with a body and does not read the body', async () => {
    const ports = memoryPrivacyPorts();
    quarantined(ports, 'q_1', { email: 'ada@example.com' });
    let reads = 0;
    ports.quarantine.body = async () => {
      reads += 1;
      return undefined;
    };

    const report = await redact(ports, { email: 'ada@example.com' });

    expect(report.quarantineErased).toBe(1);
    expect(reads).toBe(0);
  });

  it('does not look through the quarantine for a request that names nobody, an empty email included', async () => {
    const ports = memoryPrivacyPorts();
    quarantined(ports, 'q_1', { email: 'ada@example.com' });
    let scans = 0;
    const withBodies = ports.quarantine.withBodies.bind(ports.quarantine);
    ports.quarantine.withBodies = async () => {
      scans += 1;
      return withBodies();
    };

    expect(await redact(ports, { email: '' })).toEqual({ customerIds: [], ordersErased: 0, quarantineErased: 0 });
    expect(scans).toBe(0);
  });
});

describe('Use case: redactPerson, orders Shopify names', () => {
  it('erases each payload once: the person\'s own order by the customer, another\'s or a guest\'s by the id named', async () => {
    const ports = memoryPrivacyPorts();
    const ada = await ordered(ports, anOrder({ orderId: '1' }));
    await ordered(ports, anOrder({ orderId: '2', customer: { channelCustomerId: '77', email: 'bob@example.com' } }));
    await ordered(ports, anOrder({ orderId: '3', customer: {} }));

    const report = await redact(ports, { email: 'ada@example.com', orderIds: ['1', '2', '3', '404'] });

    expect(report).toMatchObject({ customerIds: [ada], ordersErased: 3 });
    expect(ports.memoryStore.erasedPayloads.sort()).toEqual(['ch_shop#1', 'ch_shop#2', 'ch_shop#3']);
  });

  it('erases a guest order named by a request that names no customer', async () => {
    const ports = memoryPrivacyPorts();
    await ordered(ports, anOrder({ orderId: '3', customer: {} }));

    const report = await redact(ports, { orderIds: ['3'] });

    expect(report).toEqual({ customerIds: [], ordersErased: 1, quarantineErased: 0 });
  });
});

describe('Use case: redactPerson, a profile that moves', () => {
  it('reads the profile again after a lost race and redacts what it holds now', async () => {
    const ports = memoryPrivacyPorts();
    const ada = (await ordered(ports, anOrder({ orderId: '1' })))!;
    const save = ports.repo.saveProfile.bind(ports.repo);
    let raced = false;
    ports.repo.saveProfile = async (next: CustomerProfile, rev: number) => {
      if (!raced) {
        raced = true;
        // Another writer counts a second order between the read and the write.
        const current = ports.repo.profiles.get(ada)!;
        await save({ ...current, figures: { ...current.figures, orders: 2 } }, current.rev);
      }
      return save(next, rev);
    };

    await redact(ports, { email: 'ada@example.com' });

    expect(ports.repo.profiles.get(ada)).toMatchObject({ redactedAt: now, figures: { orders: 2 } });
    expect(ports.repo.profiles.get(ada)!.email).toBeUndefined();
  });

  it('tries five times, then gives up naming the customer', async () => {
    const ports = memoryPrivacyPorts();
    const ada = await ordered(ports, anOrder());
    let saves = 0;
    ports.repo.saveProfile = async () => {
      saves += 1;
      throw new ConflictError('profile moved');
    };

    await expect(redact(ports, { email: 'ada@example.com' })).rejects.toThrow(`could not redact customer ${ada}: it kept changing`);
    expect(saves).toBe(5);
  });

  it('passes on an error other than a lost race at once', async () => {
    const ports = memoryPrivacyPorts();
    await ordered(ports, anOrder());
    let saves = 0;
    ports.repo.saveProfile = async () => {
      saves += 1;
      throw new Error('table gone');
    };

    await expect(redact(ports, { email: 'ada@example.com' })).rejects.toThrow('table gone');
    expect(saves).toBe(1);
  });

  it('is done when the profile went away meanwhile', async () => {
    const ports = memoryPrivacyPorts();
    const ada = (await ordered(ports, anOrder()))!;
    ports.repo.saveProfile = async () => {
      ports.repo.profiles.delete(ada);
      throw new ConflictError('profile moved');
    };

    await expect(redact(ports, { email: 'ada@example.com' })).resolves.toMatchObject({ customerIds: [ada] });
  });

  it('skips a customer whose identity is left but whose profile is gone', async () => {
    const ports = memoryPrivacyPorts();
    ports.repo.identities.set('email:ada@example.com', 'cus_gone');

    await expect(redact(ports, { email: 'ada@example.com' })).resolves.toEqual({ customerIds: ['cus_gone'], ordersErased: 0, quarantineErased: 0 });
  });
});

describe('Use case: redactShop, the identities it forgets', () => {
  it('forgets only the shop\'s customer id of a person known elsewhere, and nothing of one it has no id for', async () => {
    const ports = memoryPrivacyPorts();
    await ordered(ports, anOrder({ orderId: '1', customer: { channelCustomerId: '5', email: 'kim@example.com' } }));
    await ordered(ports, anOrder({ orderId: '2', channelId: 'ch_stays', customer: { email: 'kim@example.com' } }));
    await ordered(ports, anOrder({ orderId: '3', customer: { email: 'lee@example.com' } }));
    await ordered(ports, anOrder({ orderId: '4', channelId: 'ch_stays', customer: { email: 'lee@example.com' } }));
    const forgotten: unknown[] = [];
    const forget = ports.store.forgetIdentities.bind(ports.store);
    ports.store.forgetIdentities = async (who) => {
      forgotten.push(who);
      return forget(who);
    };

    await redactShop(ports, { channelId: 'ch_shop', now });

    expect(forgotten).toEqual([{ channelCustomerIds: { ch_shop: '5' } }]);
  });
});
