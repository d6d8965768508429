// BigCommerce webhooks carry ids only; the order and customer come from the
// store's API with the channel's token. The token goes only to a public https
// address: the base URL is checked again here (it may predate the check at
// channel creation), every address its host resolves to is checked, the
// connection goes to the checked address, and no redirect is followed.
import { lineItemLimits } from '../domain/orders';
import { checkStoreApiUrl } from '../domain/store-url';
import { StoreRefusedError, TransientError } from '../shared/errors';
import { StoreAddressRefusedError, storeRequest, type StoreApiOptions } from './store-http';

export type { StoreApiOptions } from './store-http';

export interface BigCommerceAccess {
  apiBaseUrl: string;
  apiToken: string;
}

/** What getJson answers for a 204: no JSON at all. */
const noContent = Symbol('no content');

async function getJson(access: BigCommerceAccess, path: string, options: StoreApiOptions): Promise<unknown> {
  const verdict = checkStoreApiUrl(access.apiBaseUrl, options.policy);
  if (!verdict.ok) throw new StoreRefusedError(`BigCommerce API base URL ${verdict.reason}`, 0);
  const url = new URL(`${verdict.url.href.replace(/\/+$/, '')}${path}`);
  let answer: { status: number; body: Buffer };
  try {
    answer = await storeRequest(url, { method: 'GET', headers: { 'x-auth-token': access.apiToken, accept: 'application/json' } }, options);
  } catch (error) {
    if (error instanceof StoreAddressRefusedError) {
      throw new StoreRefusedError(`BigCommerce API not called for ${path}: ${error.message}`, 0);
    }
    if (error instanceof StoreRefusedError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
    throw new TransientError(`BigCommerce API unreachable for ${path} (${code})`, { cause: error });
  }
  if (answer.status === 429 || answer.status >= 500) {
    throw new TransientError(`BigCommerce API answered ${answer.status} for ${path}`);
  }
  if (answer.status >= 300 && answer.status < 400) {
    throw new StoreRefusedError(`BigCommerce API answered ${answer.status} for ${path}; redirects are not followed`, answer.status);
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw new StoreRefusedError(`BigCommerce API answered ${answer.status} for ${path}`, answer.status);
  }
  if (answer.status === 204) return noContent;
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new StoreRefusedError(`BigCommerce API sent a body that is not JSON for ${path}`, answer.status);
  }
}

/**
 * GET /v2/orders/{id}, with its lines: the products sub-resource (the first
 * lineItemLimits.lines, all an order keeps) attached as `products`, where
 * normalizeBigCommerceOrder reads them. Lines are worth one more request, not
 * the order: a store that refuses them (a 404, a token without the scope)
 * still gives the order, without lines. A failure a retry may fix fails the
 * fetch, as it does for the order itself.
 */
export async function fetchBigCommerceOrder(access: BigCommerceAccess, orderId: string, options: StoreApiOptions): Promise<unknown> {
  const path = `/v2/orders/${encodeURIComponent(orderId)}`;
  const order = await getJson(access, path, options);
  if (order === noContent) throw new StoreRefusedError(`BigCommerce API sent no order for ${path}`, 204);
  if (order === null || typeof order !== 'object' || Array.isArray(order)) return order;
  try {
    const products = await getJson(access, `${path}/products?limit=${lineItemLimits.lines}`, options);
    // V2 answers an empty list with 204 No Content.
    if (products === noContent) return { ...order, products: [] };
    return Array.isArray(products) ? { ...order, products } : order;
  } catch (error) {
    if (error instanceof StoreRefusedError) return order;
    throw error;
  }
}

/** V3 answers a list; the customer is its first entry. */
export async function fetchBigCommerceCustomer(
  access: BigCommerceAccess,
  customerId: string,
  options: StoreApiOptions,
): Promise<unknown> {
  const page = (await getJson(access, `/v3/customers?id:in=${encodeURIComponent(customerId)}`, options)) as {
    data?: unknown[];
  };
  const customer = Array.isArray(page?.data) ? page.data[0] : undefined;
  if (customer === undefined) throw new StoreRefusedError(`BigCommerce has no customer ${customerId}`, 404);
  return customer;
}
