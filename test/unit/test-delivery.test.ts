import { describe, expect, it } from 'vitest';
import { testDelivery, testCustomerEmail, webhookHeaders } from '../../functions/app/test-delivery';
import { verifyDelivery } from '../../functions/adapters/webhook-delivery';
import type { Platform } from '../../functions/domain/model';
import { normalizeWebhook } from '../../functions/domain/normalize/index';
import { ConflictError } from '../../functions/shared/errors';

const now = new Date('2026-03-14T22:26:41.000Z');
const nowSeconds = Math.floor(now.getTime() / 1000);
const secrets: Record<Platform, string> = {
  shopify: 'shpss_app_client_secret',
  woocommerce: 'wc secret',
  bigcommerce: 'bc-client-secret',
  standard: `whsec_${Buffer.from('standard key bytes').toString('base64')}`,
};

function channel(platform: Platform, overrides: Partial<{ currency: string; status: 'active' | 'redacted' }> = {}) {
  return { id: 'ch_1', platform, webhookSecrets: [secrets[platform]], status: 'active' as const, ...overrides };
}

/** What the webhook function and the processor would make of the delivery. */
function receive(platform: Platform, delivery: ReturnType<typeof testDelivery>, secret = secrets[platform]) {
  const body = Buffer.from(delivery.body);
  const verdict = verifyDelivery(platform, [secret], delivery.headers, body, nowSeconds);
  if (verdict.kind !== 'verified') return { verdict, event: undefined };
  const result = normalizeWebhook({
    platform,
    topic: verdict.topic,
    channelId: 'ch_1',
    body: JSON.parse(delivery.body),
    receivedAt: now.toISOString(),
  });
  return { verdict, event: result.ok ? result.event : result };
}

describe('Use case: testDelivery', () => {
  it.each(['shopify', 'woocommerce', 'standard'] as const)(
    'signs a %s order that verifies and becomes an order of the test customer',
    (platform) => {
      const delivery = testDelivery(channel(platform), { now, nonce: 'abc123' });

      const { verdict, event } = receive(platform, delivery);

      expect(verdict).toMatchObject({ kind: 'verified', deliveryId: 'huitou-test-abc123' });
      expect(event).toMatchObject({
        kind: 'order',
        order: {
          orderId: 'test-abc123',
          platform,
          currency: 'USD',
          totalMinor: 2000,
          status: 'open',
          test: platform !== 'woocommerce',
          customer: { email: testCustomerEmail },
        },
      });
      expect(delivery).toMatchObject({
        orderId: 'test-abc123',
        expect: 'order',
        customerEmail: testCustomerEmail,
        testOrder: platform !== 'woocommerce',
      });
    },
  );

  it('does not verify with another secret', () => {
    const delivery = testDelivery(channel('shopify'), { now });

    expect(receive('shopify', delivery, 'another secret').verdict).toMatchObject({ kind: 'rejected' });
  });

  it('signs with the current secret during a rotation', () => {
    const rotating = { ...channel('woocommerce'), webhookSecrets: ['new secret', secrets.woocommerce] };
    const delivery = testDelivery(rotating, { now });

    expect(receive('woocommerce', delivery, 'new secret').verdict.kind).toBe('verified');
    expect(receive('woocommerce', delivery, secrets.woocommerce).verdict.kind).toBe('rejected');
  });

  it('gives a Standard Webhooks delivery the current time, so it is inside the 5-minute tolerance', () => {
    const delivery = testDelivery(channel('standard'), { now });

    expect(delivery.headers['webhook-timestamp']).toBe(String(nowSeconds));
  });

  it('sends a BigCommerce id-only body naming an order no store has', () => {
    const delivery = testDelivery(channel('bigcommerce'), { now, nonce: 'abc123' });

    const { verdict, event } = receive('bigcommerce', delivery);

    expect(verdict.kind).toBe('verified');
    expect(event).toEqual({ kind: 'fetch-order', channelId: 'ch_1', orderId: '0' });
    expect(delivery).toMatchObject({ expect: 'store-fetch', customerEmail: null, orderId: '0' });
  });

  it('uses the currency of the channel', () => {
    const delivery = testDelivery(channel('standard', { currency: 'JPY' }), { now });

    expect(receive('standard', delivery).event).toMatchObject({ order: { currency: 'JPY', totalMinor: 20 } });
  });

  it('makes a new order and delivery id each time', () => {
    const first = testDelivery(channel('shopify'), { now });
    const second = testDelivery(channel('shopify'), { now });

    expect(first.orderId).not.toBe(second.orderId);
    expect(first.deliveryId).not.toBe(second.deliveryId);
    expect(first.quarantineId).not.toBe(second.quarantineId);
  });

  it('refuses a redacted channel', () => {
    expect(() => testDelivery({ ...channel('shopify', { status: 'redacted' }), webhookSecrets: [] }, { now })).toThrow(
      ConflictError,
    );
  });
});

describe('Function: webhookHeaders', () => {
  const body = JSON.stringify({ id: 1 });

  it.each([
    ['shopify', 'orders/cancelled'],
    ['woocommerce', 'order.updated'],
  ] as const)('signs a %s %s delivery that verifies with its topic and id', (platform, topic) => {
    const headers = webhookHeaders(platform, secrets[platform], { body, topic, deliveryId: 'd-1', now });

    const verdict = verifyDelivery(platform, [secrets[platform]], headers, Buffer.from(body), nowSeconds);

    expect(verdict).toMatchObject({ kind: 'verified', topic, deliveryId: 'd-1' });
  });

  it('names the WooCommerce resource and event apart, as WooCommerce does', () => {
    const headers = webhookHeaders('woocommerce', secrets.woocommerce, { body, topic: 'order.updated', deliveryId: 'd', now });
    expect(headers).toMatchObject({ 'x-wc-webhook-resource': 'order', 'x-wc-webhook-event': 'updated' });
  });

  it('signs a Standard Webhooks delivery at now, whatever the topic', () => {
    const headers = webhookHeaders('standard', secrets.standard, { body, topic: 'ignored', deliveryId: 'd-2', now });
    expect(headers['webhook-timestamp']).toBe(String(nowSeconds));
    expect(Object.values(headers)).not.toContain('ignored');
    expect(verifyDelivery('standard', [secrets.standard], headers, Buffer.from(body), nowSeconds)).toMatchObject({
      kind: 'verified',
      deliveryId: 'd-2',
    });
  });

  it('does not verify with another secret', () => {
    const headers = webhookHeaders('shopify', 'other', { body, topic: 'orders/create', deliveryId: 'd', now });
    expect(verifyDelivery('shopify', [secrets.shopify], headers, Buffer.from(body), nowSeconds).kind).not.toBe('verified');
  });
});
