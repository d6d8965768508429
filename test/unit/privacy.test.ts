import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  concerns,
  heldTokens,
  identitiesInBody,
  identitiesInPayload,
  payloadDigests,
  soughtTokens,
  tokenDigest,
  type PersonToErase,
} from '../../functions/domain/privacy';

type Json = Record<string, any>;
const fixture = (path: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/marketplaces/${path}`, import.meta.url), 'utf8'));

const nobody: PersonToErase = { emails: [], phones: [], customers: [], orders: [] };

/** Whether a payload of `channelId` is found when erasing `person`. */
function found(channelId: string, body: unknown, topic: string, person: Partial<PersonToErase>): boolean {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const held = payloadDigests({ channelId, topic, raw }) ?? [];
  return concerns(held, new Set(soughtTokens({ ...nobody, ...person }).map(tokenDigest)));
}

describe('Domain: identities in a payload, for erasure', () => {
  it('reads a Shopify order: emails, every phone normalized, the customer id and the order id', () => {
    const identities = identitiesInBody({ topic: 'orders/updated', body: fixture('shopify/orders_updated.derived-from-official-rest.json') });

    expect(identities.emails).toEqual(['bob.norman@mail.example.com']);
    expect(identities.phones).toEqual(expect.arrayContaining(['+557734881234', '+16136120707', '+15024592181']));
    expect(identities.customerIds).toContain('207119551');
    expect(identities.orderIds).toContain('450789469');
  });

  it('reads a Shopify guest order that fails the schema: the phone as typed, and its id as an order', () => {
    const guest = { id: 5551001, total_price: '-1', customer: null, billing_address: { name: 'Ana Ruiz', address1: '1 Main St', phone: '(415) 555-0134' } };

    const identities = identitiesInBody({ topic: 'orders/create', body: guest });

    expect(identities).toEqual({ emails: [], phones: ['4155550134'], customerIds: [], orderIds: ['5551001'] });
  });

  it('takes a Shopify refund to be about its order, not about a customer', () => {
    const identities = identitiesInBody({ topic: 'refunds/create', body: fixture('shopify/refunds_create.derived-from-official-rest.json') });

    expect(identities.orderIds).toContain('450789469');
    expect(identities.orderIds).not.toContain('929361472');
    expect(identities.customerIds).not.toContain('929361472');
  });

  it('reads a Shopify customer, bare or wrapped, as a customer id', () => {
    const { customer } = fixture('shopify/official-rest-examples/customer-207119551.GET.response.json');

    const bare = identitiesInBody({ topic: 'customers/update', body: customer });
    const wrapped = identitiesInBody({ topic: '', body: { customer } });

    expect(bare.customerIds).toEqual(['207119551']);
    expect(bare.orderIds).toEqual([]);
    expect(wrapped.customerIds).toContain('207119551');
    expect(bare.emails).toEqual(['bob.norman@mail.example.com']);
  });

  it('reads a WooCommerce order and customer; customer_id 0 is a guest, not an id', () => {
    const order = identitiesInBody({ topic: 'order.created', body: fixture('woocommerce/order.created.json') });
    const customer = identitiesInBody({ topic: 'customer.created', body: fixture('woocommerce/customer.created.json') });

    expect(order).toMatchObject({ emails: ['john.doe@example.com'], phones: ['5555555555'], customerIds: [], orderIds: ['727'] });
    expect(customer).toMatchObject({ emails: ['john.doe@example.com'], phones: ['5555555555'], customerIds: ['25'], orderIds: [] });
  });

  it('reads BigCommerce webhooks by their scope, and a fetched order by its fields', () => {
    const orderHook = identitiesInBody({ topic: '', body: fixture('bigcommerce/store_order_created.json') });
    const customerHook = identitiesInBody({ topic: '', body: fixture('bigcommerce/store_customer_created.json') });
    const fetched = identitiesInBody({
      topic: '',
      body: { id: 118, customer_id: 11, billing_address: { first_name: 'Jane', email: 'Jane@Example.com ', phone: '+44 20 7946 0958' } },
    });

    expect(orderHook).toMatchObject({ orderIds: ['250'], customerIds: [] });
    expect(customerHook).toMatchObject({ orderIds: [], customerIds: ['32'] });
    expect(fetched).toMatchObject({ emails: ['jane@example.com'], phones: ['+442079460958'] });
    expect(fetched.customerIds).toContain('11');
  });

  it('reads Standard Webhooks orders, refunds and customers by their type', () => {
    const order = identitiesInBody({
      topic: '',
      body: { type: 'order.created', data: { id: 'A-1', total: '-5', customer: { id: 'c-17', email: 'ana@example.com', phone: '+34 600 123 456' } } },
    });
    const refund = identitiesInBody({ topic: '', body: { type: 'refund.created', data: { id: 'r-1', orderId: 'A-1' } } });
    const customer = identitiesInBody({ topic: '', body: { type: 'customer.updated', data: { id: 'c-17' } } });

    expect(order).toEqual({ emails: ['ana@example.com'], phones: ['+34600123456'], customerIds: ['c-17'], orderIds: ['A-1'] });
    expect(refund).toMatchObject({ orderIds: ['A-1'], customerIds: [] });
    expect(customer).toMatchObject({ orderIds: [], customerIds: ['c-17'] });
  });

  it('takes the id of a body that does not say what it is as either an order or a customer', () => {
    expect(identitiesInBody({ topic: '', body: { id: 77 } })).toMatchObject({ orderIds: ['77'], customerIds: ['77'] });
  });

  it('finds emails and phones in free text, in notes and in bodies that are not JSON', () => {
    const note = identitiesInBody({ topic: 'orders/create', body: { note: 'call Ana on +1 (415) 555-0134 or mail ANA@example.com' } });
    const broken = identitiesInPayload({ topic: 'orders/create', raw: Buffer.from('{"note": "john@example.com", "phone": "555-625-1199", broken') });

    expect(note).toMatchObject({ emails: ['ana@example.com'], phones: ['+14155550134'] });
    expect(broken).toMatchObject({ emails: ['john@example.com'], phones: ['5556251199'] });
  });

  it('takes no date, amount or short number for a phone', () => {
    const body = { created_at: '2026-03-14T23:26:41+01:00', total: '598.94', zip: '94103', number: '#1001' };

    expect(identitiesInBody({ topic: 'orders/create', body }).phones).toEqual([]);
  });

  it('finds an email however deep a body nests it', () => {
    let body: unknown = { email: 'deep@example.com' };
    for (let depth = 0; depth < 20_000; depth += 1) body = { inner: body };

    expect(identitiesInBody({ topic: '', body }).emails).toEqual(['deep@example.com']);
  });
});

describe('Domain: which payloads a redaction reaches', () => {
  const guest = { id: 5551001, customer: null, billing_address: { name: 'Ana Ruiz', phone: '(415) 555-0134' } };

  it('finds a national phone in a body by the international number of the request, and the other way round', () => {
    expect(found('ch_1', guest, 'orders/create', { phones: ['+14155550134'] })).toBe(true);
    expect(found('ch_1', { phone: '+1 415 555 0134' }, 'orders/create', { phones: ['4155550134'] })).toBe(true);
    expect(found('ch_1', { phone: '020 7946 0958' }, 'orders/create', { phones: ['+442079460958'] })).toBe(true);
  });

  it('does not take two international numbers that end alike for one person', () => {
    expect(found('ch_1', { phone: '+44 155 550 134' }, 'orders/create', { phones: ['+14155550134'] })).toBe(false);
    expect(found('ch_1', { phone: '+1 415 555 0134' }, 'orders/create', { phones: ['+44 4155550134'.replace(/\s/g, '')] })).toBe(false);
  });

  it('finds a body by email however it is written, and by an order or customer id of the same channel only', () => {
    expect(found('ch_1', { email: ' Ana@Example.COM' }, 'orders/create', { emails: ['ana@example.com'] })).toBe(true);
    expect(found('ch_1', guest, 'orders/create', { orders: [{ channelId: 'ch_1', orderId: '5551001' }] })).toBe(true);
    expect(found('ch_2', guest, 'orders/create', { orders: [{ channelId: 'ch_1', orderId: '5551001' }] })).toBe(false);
    expect(found('ch_1', { customer: { id: 9 } }, 'orders/create', { customers: [{ channelId: 'ch_1', customerId: '9' }] })).toBe(true);
  });

  it('leaves a body about someone else alone', () => {
    const person = { emails: ['ana@example.com'], phones: ['+14155550134'], orders: [{ channelId: 'ch_1', orderId: '1' }] };

    expect(found('ch_1', { id: 2, email: 'bob@example.com', phone: '(212) 555-0100' }, 'orders/create', person)).toBe(false);
  });

  it('stores only digests, none of which is the identity itself', () => {
    const tokens = heldTokens('ch_1', identitiesInBody({ topic: 'orders/create', body: guest }));

    const digests = payloadDigests({ channelId: 'ch_1', topic: 'orders/create', raw: Buffer.from(JSON.stringify(guest)) });

    expect(tokens).toEqual(['phone:national:4155550134', 'order:ch_1:5551001']);
    expect(digests).toEqual(tokens.map(tokenDigest));
    expect(digests!.every((digest) => /^[0-9a-f]{64}$/.test(digest))).toBe(true);
  });

  it('stores no digests for a body with more identities than an entry keeps', () => {
    const many = { lines: Array.from({ length: 500 }, (_, i) => ({ email: `buyer${i}@example.com` })) };

    expect(payloadDigests({ channelId: 'ch_1', topic: 'orders/create', raw: Buffer.from(JSON.stringify(many)) })).toBeUndefined();
  });
});
