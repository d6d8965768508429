// The coupon provider of a channel, from its coupon settings.
import type { CouponProvider } from '../../app/campaign-ports';
import type { Channel } from '../../domain/channels';
import { storeUrlPolicy } from '../../shared/store-url-policy';
import type { StoreApiOptions } from '../store-http';
import { bigCommerceCouponProvider } from './bigcommerce';
import { noCouponPlatform } from './none';
import { shopifyCouponProvider } from './shopify';
import { wooCommerceCouponProvider } from './woocommerce';

const storeApi: StoreApiOptions = { policy: storeUrlPolicy() };

/** undefined when the channel has no coupon settings (stored before coupons existed, or never set). */
export function couponProviderFor(channel: Pick<Channel, 'coupons'>, options: StoreApiOptions = storeApi): CouponProvider | undefined {
  const settings = channel.coupons;
  switch (settings?.provider) {
    case undefined:
      return undefined;
    case 'none':
      return noCouponPlatform;
    case 'shopify':
      return shopifyCouponProvider(settings, options);
    case 'woocommerce':
      return wooCommerceCouponProvider(settings, options);
    case 'bigcommerce':
      return bigCommerceCouponProvider(settings, options);
  }
}
