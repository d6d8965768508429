// BigCommerce: a coupon promotion per code, then its one code, through the
// v3 API (scope Marketing: modify) with the token in X-Auth-Token. The
// promotion's name carries the code, so a retry after a crash between the two
// calls reuses the promotion instead of leaving a second one behind.
import type { CouponProvider } from '../../app/campaign-ports';
import {
  bigCommerceCodeBody,
  bigCommercePromotionBody,
  bigCommercePromotionName,
} from '../../domain/campaigns/coupon-requests';
import type { CouponSettings } from '../../domain/channels';
import { CouponRejectedError } from '../../shared/errors';
import type { StoreApiOptions } from '../store-http';
import { buildRequest, callPlatform, okJson, type PlatformCall } from './platform-http';

type BigCommerceSettings = Extract<CouponSettings, { provider: 'bigcommerce' }>;

const defaultApiBaseUrl = 'https://api.bigcommerce.com';

export function bigCommerceCouponProvider(settings: BigCommerceSettings, options: StoreApiOptions): CouponProvider {
  const baseUrl = settings.adminApiBaseUrl ?? defaultApiBaseUrl;
  const prefix = `/stores/${encodeURIComponent(settings.storeHash)}/v3`;
  const headers = { accept: 'application/json', 'x-auth-token': settings.credentials.accessToken };

  const send = async (step: string, path: string, body?: unknown) => {
    const call: PlatformCall = { platform: 'BigCommerce', step };
    const request =
      body === undefined
        ? { method: 'GET' as const, headers }
        : { method: 'POST' as const, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) };
    return { call, answer: await callPlatform(call, baseUrl, `${prefix}${path}`, request, options) };
  };
  const dataOf = <T>({ call, answer }: Awaited<ReturnType<typeof send>>) => (okJson(call, answer) as { data?: T }).data;

  return {
    async create(request) {
      const promotion = buildRequest('BigCommerce', () => bigCommercePromotionBody(request, new Date().toISOString()));
      const name = bigCommercePromotionName(request);
      // `name` filters loosely: only a promotion of exactly this name is ours.
      const existing = dataOf<{ id?: unknown; name?: unknown }[]>(
        await send('look the promotion up', `/promotions?name=${encodeURIComponent(name)}`),
      );
      let promotionId = Array.isArray(existing) ? existing.find((p) => p.name === name)?.id : undefined;
      promotionId ??= dataOf<{ id?: unknown }>(await send('create the promotion', '/promotions', promotion))?.id;
      if (promotionId === undefined) throw new CouponRejectedError('BigCommerce created a promotion without an id', 201);

      const created = await send('create the code', `/promotions/${encodeURIComponent(String(promotionId))}/codes`, bigCommerceCodeBody(request));
      // The docs do not say how a code in use is refused; 409 and 422 both lead to a look-up.
      if (created.answer.status !== 409 && created.answer.status !== 422) {
        dataOf(created);
        return { code: request.code, platformId: String(promotionId) };
      }
      const found = dataOf<{ code?: unknown }[]>(await send('look the code up', `/promotions/codes?code=${encodeURIComponent(request.code)}`));
      if (!Array.isArray(found) || !found.some((c) => c.code === request.code)) {
        throw new CouponRejectedError(`BigCommerce refused to create the code: ${created.answer.status}`, created.answer.status);
      }
      return { code: request.code, platformId: String(promotionId) };
    },
  };
}
