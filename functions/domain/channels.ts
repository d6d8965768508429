// A channel: one connected store, with its webhook secrets and API access.
// Webhook secret rotation: while a store moves to a new secret, deliveries
// signed with either verify; ending the rotation drops the old one.
// Coupon settings say where the channel's coupons are created; their
// credentials are written, used and never shown again.
import { ValidationError } from '../shared/errors';
import type { Platform } from './model';

export const couponProviders = ['shopify', 'woocommerce', 'bigcommerce', 'none'] as const;
export type CouponProviderName = (typeof couponProviders)[number];

/** Where a channel's coupons are created, with the credentials that may create them. */
export type CouponSettings =
  | { provider: 'none' }
  | {
      provider: 'shopify';
      /** The shop's x.myshopify.com domain. */
      shopDomain: string;
      /** Overrides https://{shopDomain}, so tests can aim at a local fake. */
      adminApiBaseUrl?: string | undefined;
      credentials: { accessToken: string };
    }
  | {
      provider: 'woocommerce';
      /** The WordPress site, e.g. https://shop.example.com (the REST API is under /wp-json). */
      siteUrl: string;
      adminApiBaseUrl?: string | undefined;
      credentials: { consumerKey: string; consumerSecret: string };
    }
  | {
      provider: 'bigcommerce';
      storeHash: string;
      /** Overrides https://api.bigcommerce.com. */
      adminApiBaseUrl?: string | undefined;
      credentials: { accessToken: string };
    };

/** Coupon settings as staff send them: credentials may be left out to keep the stored ones of the same provider. */
export type CouponSettingsInput = CouponSettings extends infer S
  ? S extends { credentials: infer C }
    ? Omit<S, 'credentials'> & { credentials?: C | undefined }
    : S
  : never;

/** What the API shows of coupon settings: never a credential. */
export type CouponSettingsView = CouponSettings extends infer S
  ? S extends { credentials: unknown }
    ? Omit<S, 'credentials' | 'adminApiBaseUrl'> & { adminApiBaseUrl: string | null; credentials: 'set' }
    : S
  : never;

/** A channel's coupons are created on its own platform, or kept in huitou only ('none'). */
export function couponProviderAllowed(platform: Platform, provider: CouponProviderName): boolean {
  return provider === 'none' || provider === platform;
}

export interface Channel {
  id: string;
  platform: Platform;
  name: string;
  /** Current secret first; a second one is the previous secret during a rotation. */
  webhookSecrets: string[];
  apiBaseUrl?: string | undefined;
  apiToken?: string | undefined;
  currency?: string | undefined;
  /** Absent on channels stored before coupons existed, and on those that never set them. */
  coupons?: CouponSettings | undefined;
  status: 'active' | 'redacted';
  createdAt: string;
  updatedAt: string;
}

export interface SecretChange {
  /** The store's new secret; the current one stays valid as the previous. */
  webhookSecret?: string | undefined;
  /** null ends a rotation: only the current secret verifies from then on. */
  previousWebhookSecret?: null | undefined;
}

/** The secrets after `change`, current first. */
export function rotateSecrets(secrets: readonly string[], change: SecretChange): string[] {
  const [current] = secrets;
  let next = [...secrets];
  if (change.webhookSecret !== undefined && change.webhookSecret !== current) {
    next = current === undefined ? [change.webhookSecret] : [change.webhookSecret, current];
  }
  if (change.previousWebhookSecret === null) next = next.slice(0, 1);
  return next;
}

export function couponSettingsView(settings: CouponSettings): CouponSettingsView {
  if (settings.provider === 'none') return { provider: 'none' };
  const { credentials: _credentials, adminApiBaseUrl, ...where } = settings;
  return { ...where, adminApiBaseUrl: adminApiBaseUrl ?? null, credentials: 'set' };
}

/**
 * The settings after staff sent `input` for a channel of `platform` whose
 * settings are `current`. Leaving out the credentials keeps the stored ones,
 * but only for the same provider: another platform's keys never carry over.
 */
export function nextCouponSettings(platform: Platform, current: CouponSettings | undefined, input: CouponSettingsInput): CouponSettings {
  if (!couponProviderAllowed(platform, input.provider)) {
    throw new ValidationError(`a ${platform} channel cannot create coupons with ${input.provider}`, [
      `coupons.provider: one of ${couponProviders.filter((p) => couponProviderAllowed(platform, p)).join(', ')}`,
    ]);
  }
  if (input.provider === 'none') return { provider: 'none' };
  const credentials = input.credentials ?? (current?.provider === input.provider ? current.credentials : undefined);
  if (credentials === undefined) {
    throw new ValidationError(`coupons for ${input.provider} need credentials`, ['coupons.credentials: required']);
  }
  return { ...input, credentials } as CouponSettings;
}
