// WooCommerce: one coupon per code through the REST API (a read/write key),
// with the consumer key and secret as HTTP Basic credentials (over https).
import type { CouponProvider } from '../../app/campaign-ports';
import { wooCommerceCouponBody } from '../../domain/campaigns/coupon-requests';
import type { CouponSettings } from '../../domain/channels';
import { CouponRejectedError } from '../../shared/errors';
import type { StoreApiOptions } from '../store-http';
import { buildRequest, callPlatform, okJson, type PlatformCall } from './platform-http';

type WooCommerceSettings = Extract<CouponSettings, { provider: 'woocommerce' }>;

const couponsPath = '/wp-json/wc/v3/coupons';
const codeTaken = 'woocommerce_rest_coupon_code_already_exists';

export function wooCommerceCouponProvider(settings: WooCommerceSettings, options: StoreApiOptions): CouponProvider {
  const baseUrl = settings.adminApiBaseUrl ?? settings.siteUrl;
  const { consumerKey, consumerSecret } = settings.credentials;
  const headers = {
    accept: 'application/json',
    authorization: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`,
  };

  return {
    async create(request) {
      const body = buildRequest('WooCommerce', () => wooCommerceCouponBody(request));
      const create: PlatformCall = { platform: 'WooCommerce', step: 'create the coupon' };
      const answer = await callPlatform(
        create,
        baseUrl,
        couponsPath,
        { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) },
        options,
      );
      if (answer.status !== 400 || (answer.json as { code?: unknown } | undefined)?.code !== codeTaken) {
        const coupon = okJson(create, answer) as { id?: unknown };
        return { code: request.code, platformId: String(coupon.id) };
      }
      // The code exists: this create already ran before a crash or a lost answer.
      const lookup: PlatformCall = { platform: 'WooCommerce', step: 'look the code up' };
      const found = await callPlatform(lookup, baseUrl, `${couponsPath}?code=${encodeURIComponent(request.code)}`, { method: 'GET', headers }, options);
      const coupons = okJson(lookup, found) as { id?: unknown; code?: unknown }[];
      // WooCommerce keeps codes lower-cased, and matches them so at checkout.
      const coupon = Array.isArray(coupons)
        ? coupons.find((c) => typeof c.code === 'string' && c.code.toLowerCase() === request.code.toLowerCase())
        : undefined;
      if (coupon === undefined) throw new CouponRejectedError(`WooCommerce says the code exists but does not list it`, 400);
      return { code: request.code, platformId: String(coupon.id) };
    },
  };
}
