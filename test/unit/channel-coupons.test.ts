import { describe, expect, it } from 'vitest';
import { patchChannel, type ChannelRepository } from '../../functions/app/channels';
import {
  couponProviderAllowed,
  couponProviders,
  couponSettingsView,
  nextCouponSettings,
  type Channel,
  type CouponSettings,
} from '../../functions/domain/channels';
import { platforms } from '../../functions/domain/model';
import { ValidationError } from '../../functions/shared/errors';

const shopify: CouponSettings = {
  provider: 'shopify',
  shopDomain: 'x.myshopify.com',
  adminApiBaseUrl: 'https://fake.example.com',
  credentials: { accessToken: 'shpat_secret' },
};
const woo: CouponSettings = {
  provider: 'woocommerce',
  siteUrl: 'https://shop.example.com',
  credentials: { consumerKey: 'ck_secret', consumerSecret: 'cs_secret' },
};
const bigCommerce: CouponSettings = { provider: 'bigcommerce', storeHash: 'abc123', credentials: { accessToken: 'bc_secret' } };

describe('couponProviderAllowed', () => {
  it('lets a channel use its own platform or none, and a standard channel none only', () => {
    const allowed = platforms.map((platform) => [platform, couponProviders.filter((provider) => couponProviderAllowed(platform, provider))]);
    expect(Object.fromEntries(allowed)).toEqual({
      shopify: ['shopify', 'none'],
      woocommerce: ['woocommerce', 'none'],
      bigcommerce: ['bigcommerce', 'none'],
      standard: ['none'],
    });
  });
});

describe('couponSettingsView', () => {
  it('shows where coupons are created and that credentials are set, never the credentials', () => {
    expect(couponSettingsView(shopify)).toEqual({
      provider: 'shopify',
      shopDomain: 'x.myshopify.com',
      adminApiBaseUrl: 'https://fake.example.com',
      credentials: 'set',
    });
    expect(couponSettingsView(woo)).toEqual({ provider: 'woocommerce', siteUrl: 'https://shop.example.com', adminApiBaseUrl: null, credentials: 'set' });
    expect(couponSettingsView(bigCommerce)).toEqual({ provider: 'bigcommerce', storeHash: 'abc123', adminApiBaseUrl: null, credentials: 'set' });
    expect(couponSettingsView({ provider: 'none' })).toEqual({ provider: 'none' });
    expect(JSON.stringify([shopify, woo, bigCommerce].map(couponSettingsView))).not.toContain('secret');
  });
});

describe('nextCouponSettings', () => {
  it('takes new settings with their credentials', () => {
    expect(nextCouponSettings('woocommerce', undefined, woo)).toEqual(woo);
    expect(nextCouponSettings('shopify', undefined, { provider: 'none' })).toEqual({ provider: 'none' });
  });

  it('keeps the stored credentials of the same provider when none are sent', () => {
    const { credentials: _, ...moved } = { ...shopify, shopDomain: 'y.myshopify.com' };
    expect(nextCouponSettings('shopify', shopify, moved)).toEqual({ ...shopify, shopDomain: 'y.myshopify.com' });
  });

  it('drops what "none" does not use', () => {
    expect(nextCouponSettings('shopify', shopify, { provider: 'none', ...({ shopDomain: 'x' } as object) } as never)).toEqual({ provider: 'none' });
  });

  it('refuses settings without credentials when none are stored for that provider', () => {
    const { credentials: _, ...noKeys } = shopify;
    expect(() => nextCouponSettings('shopify', undefined, noKeys)).toThrow(ValidationError);
    expect(() => nextCouponSettings('shopify', { provider: 'none' }, noKeys)).toThrow(
      expect.objectContaining({ message: 'coupons for shopify need credentials', issues: ['coupons.credentials: required'] }),
    );
  });

  it('refuses a provider the platform does not allow, naming those it does', () => {
    expect(() => nextCouponSettings('standard', undefined, shopify)).toThrow('a standard channel cannot create coupons with shopify');
    try {
      nextCouponSettings('bigcommerce', undefined, woo);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues).toEqual(['coupons.provider: one of bigcommerce, none']);
    }
  });
});

describe('patchChannel: coupons', () => {
  const channel: Channel = {
    id: 'ch_0a',
    platform: 'shopify',
    name: 'Main store',
    webhookSecrets: ['s'],
    coupons: shopify,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  const portsWith = (stored: Channel) => {
    let current = stored;
    const channels: ChannelRepository = {
      get: async () => current,
      replace: async (_previous, next) => {
        current = next;
      },
    };
    return { channels, now: () => new Date('2026-02-01T00:00:00.000Z') };
  };

  it('keeps the settings when the patch does not name them', async () => {
    expect((await patchChannel(portsWith(channel), 'ch_0a', { name: 'Renamed' })).coupons).toEqual(shopify);
  });

  it('replaces them, keeping stored credentials of the same provider', async () => {
    const next = await patchChannel(portsWith(channel), 'ch_0a', { coupons: { provider: 'shopify', shopDomain: 'y.myshopify.com' } });
    expect(next.coupons).toEqual({ provider: 'shopify', shopDomain: 'y.myshopify.com', credentials: shopify.credentials });
  });

  it('removes them with null', async () => {
    expect((await patchChannel(portsWith(channel), 'ch_0a', { coupons: null })).coupons).toBeUndefined();
  });

  it('refuses a provider of another platform', async () => {
    await expect(patchChannel(portsWith(channel), 'ch_0a', { coupons: bigCommerce })).rejects.toThrow(ValidationError);
  });
});
