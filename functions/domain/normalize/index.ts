// One entry point from a verified webhook to what it means (a ChannelEvent).
// It never throws: anything it cannot map comes back as ok:false with the
// reason and the failing fields, and the processor quarantines it, so nothing
// a store signed is dropped.

import { normalizeBigCommerceWebhook } from './bigcommerce';
import { rejected, type NormalizeResult, type WebhookInput } from './common';
import { normalizeShopify } from './shopify';
import { normalizeStandard } from './standard';
import { normalizeWooCommerce } from './woocommerce';

export type { NormalizeResult, WebhookInput } from './common';
export { normalizeBigCommerceCustomer, normalizeBigCommerceOrder } from './bigcommerce';
export { normalizeEmail, normalizePhone } from './identity';
export { toMinorUnits } from './money';
export { standardWebhookSchema, type StandardWebhook } from './standard';

/**
 * Shopify and WooCommerce name the topic in a header (`topic`); BigCommerce and
 * Standard bodies name it themselves (scope, type), and `topic` may be empty.
 */
export function normalizeWebhook(input: WebhookInput): NormalizeResult {
  const topic = typeof input.topic === 'string' ? input.topic.trim() : '';
  const request = { ...input, topic };
  try {
    switch (input.platform) {
      case 'shopify':
        return normalizeShopify(request);
      case 'woocommerce':
        return normalizeWooCommerce(request);
      case 'bigcommerce':
        return normalizeBigCommerceWebhook(request);
      case 'standard':
        return normalizeStandard(request);
      default:
        return rejected(`unsupported platform ${String(input.platform)}`);
    }
  } catch (error) {
    // A bug here must not turn into a lost webhook or a poison message.
    return rejected('normalizer failed', [error instanceof Error ? `${error.name}: ${error.message}` : String(error)]);
  }
}
