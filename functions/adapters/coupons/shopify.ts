// Shopify: one basic code discount per coupon through the Admin GraphQL API
// (scope write_discounts), with the token in X-Shopify-Access-Token.
import type { CouponProvider } from '../../app/campaign-ports';
import {
  shopifyApiVersion,
  shopifyCreateMutation,
  shopifyDiscountVariables,
  shopifyLookupQuery,
} from '../../domain/campaigns/coupon-requests';
import type { CouponSettings } from '../../domain/channels';
import { CouponRejectedError, CouponUnavailableError } from '../../shared/errors';
import type { StoreApiOptions } from '../store-http';
import { buildRequest, callPlatform, okJson, type PlatformCall } from './platform-http';

type ShopifySettings = Extract<CouponSettings, { provider: 'shopify' }>;

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message?: string; extensions?: { code?: string } }[] | string;
}

interface UserError {
  field?: string[] | null;
  code?: string | null;
}

/** Top-level GraphQL errors: throttling and internal errors pass, anything else (ACCESS_DENIED, a bad query) does not. */
function graphqlData(call: PlatformCall, answer: GraphqlAnswer): Record<string, unknown> {
  const errors = typeof answer.errors === 'string' ? [{ message: answer.errors }] : (answer.errors ?? []);
  const codes = errors.map((error) => ('extensions' in error ? error.extensions?.code : undefined) ?? 'ERROR');
  if (codes.some((code) => code === 'THROTTLED' || code === 'INTERNAL_SERVER_ERROR')) {
    throw new CouponUnavailableError(`Shopify answered ${codes.join(', ')} to ${call.step}`);
  }
  if (errors.length > 0 || !answer.data) throw new CouponRejectedError(`Shopify refused to ${call.step}: ${codes.join(', ')}`, 200);
  return answer.data;
}

export function shopifyCouponProvider(settings: ShopifySettings, options: StoreApiOptions): CouponProvider {
  const baseUrl = settings.adminApiBaseUrl ?? `https://${settings.shopDomain}`;

  const graphql = async (step: string, query: string, variables: Record<string, unknown>) => {
    const call: PlatformCall = { platform: 'Shopify', step };
    const answer = await callPlatform(
      call,
      baseUrl,
      `/admin/api/${shopifyApiVersion}/graphql.json`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-shopify-access-token': settings.credentials.accessToken,
        },
        body: JSON.stringify({ query, variables }),
      },
      options,
    );
    return graphqlData(call, okJson(call, answer) as GraphqlAnswer);
  };

  return {
    async create(request) {
      const variables = buildRequest('Shopify', () => shopifyDiscountVariables(request, new Date().toISOString()));
      const data = await graphql('create the discount', shopifyCreateMutation, variables);
      const payload = data['discountCodeBasicCreate'] as { codeDiscountNode?: { id?: string } | null; userErrors?: UserError[] } | null;
      const created = payload?.codeDiscountNode?.id;
      if (created) return { code: request.code, platformId: created };
      const userErrors = payload?.userErrors ?? [];
      // The code exists: this create already ran before a crash or a lost answer.
      if (userErrors.some((error) => error.code === 'TAKEN')) {
        const found = await graphql('look the code up', shopifyLookupQuery, { code: request.code });
        const node = found['codeDiscountNodeByCode'] as { id?: string } | null;
        if (node?.id) return { code: request.code, platformId: node.id };
      }
      const reasons = userErrors.map((error) => `${(error.field ?? []).join('.')} ${error.code ?? 'no code'}`.trim());
      throw new CouponRejectedError(`Shopify refused to create the discount: ${reasons.join('; ') || 'no discount created'}`, 200);
    },
  };
}
