// Reads one marketplace delivery off the wire: which platform header holds the
// signature, the topic and the delivery id, and whether it verifies.
import { createHash } from 'node:crypto';
import type { Platform } from '../domain/model';
import { verifyBodyHmac, verifyStandardWebhook } from './signatures';

export interface DeliveryHeaders {
  /** Lower-cased names, as API Gateway HTTP API passes them. */
  [name: string]: string | undefined;
}

export type DeliveryVerdict =
  | { kind: 'verified'; topic: string; deliveryId: string; eventId: string | undefined }
  /** WooCommerce's unsigned ping when a webhook is created. */
  | { kind: 'ping' }
  | { kind: 'rejected'; reason: string };

const wooPing = /^webhook_id=\d+$/;

/** A delivery without an id of its own is named by its bytes, so a retry gets the same name. */
function bodyDigest(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

export function verifyDelivery(
  platform: Platform,
  secrets: readonly string[],
  headers: DeliveryHeaders,
  body: Buffer,
  nowSeconds: number,
): DeliveryVerdict {
  switch (platform) {
    case 'shopify': {
      if (!verifyBodyHmac(body, headers['x-shopify-hmac-sha256'], secrets)) {
        return { kind: 'rejected', reason: 'bad or missing X-Shopify-Hmac-Sha256' };
      }
      return {
        kind: 'verified',
        topic: headers['x-shopify-topic'] ?? '',
        deliveryId: headers['x-shopify-webhook-id'] ?? bodyDigest(body),
        eventId: headers['x-shopify-event-id'],
      };
    }
    case 'woocommerce': {
      const signature = headers['x-wc-webhook-signature'];
      if (signature === undefined && wooPing.test(body.toString('utf8').trim())) return { kind: 'ping' };
      if (!verifyBodyHmac(body, signature, secrets)) {
        return { kind: 'rejected', reason: 'bad or missing X-WC-Webhook-Signature' };
      }
      return {
        kind: 'verified',
        topic: headers['x-wc-webhook-topic'] ?? '',
        deliveryId: headers['x-wc-webhook-delivery-id'] ?? bodyDigest(body),
        eventId: headers['x-wc-webhook-id'],
      };
    }
    case 'bigcommerce':
    case 'standard': {
      const verdict = verifyStandardWebhook(
        body,
        {
          id: headers['webhook-id'],
          timestamp: headers['webhook-timestamp'],
          signature: headers['webhook-signature'],
        },
        secrets,
        nowSeconds,
      );
      if (!verdict.ok) return { kind: 'rejected', reason: `standard webhook ${verdict.reason}` };
      // The topic is in the body (BigCommerce `scope`, Standard Webhooks `type`).
      return { kind: 'verified', topic: '', deliveryId: headers['webhook-id'] ?? bodyDigest(body), eventId: undefined };
    }
  }
}
