// BigCommerce webhooks carry ids only; the order and customer come from the
// store's API with the channel's token.
import { HuitouError, TransientError } from '../shared/errors';

/** The store answered, but not with the resource: staff must act (token, scope, deleted order). */
export class StoreRefusedError extends HuitouError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface BigCommerceAccess {
  apiBaseUrl: string;
  apiToken: string;
}

async function getJson(access: BigCommerceAccess, path: string): Promise<unknown> {
  const url = `${access.apiBaseUrl.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'x-auth-token': access.apiToken, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new TransientError(`BigCommerce API unreachable for ${path}`, { cause: error });
  }
  if (response.status === 429 || response.status >= 500) {
    throw new TransientError(`BigCommerce API answered ${response.status} for ${path}`);
  }
  if (!response.ok) {
    throw new StoreRefusedError(`BigCommerce API answered ${response.status} for ${path}`, response.status);
  }
  try {
    return await response.json();
  } catch (error) {
    throw new StoreRefusedError(`BigCommerce API sent a body that is not JSON for ${path}`, response.status);
  }
}

export function fetchBigCommerceOrder(access: BigCommerceAccess, orderId: string): Promise<unknown> {
  return getJson(access, `/v2/orders/${encodeURIComponent(orderId)}`);
}

/** V3 answers a list; the customer is its first entry. */
export async function fetchBigCommerceCustomer(access: BigCommerceAccess, customerId: string): Promise<unknown> {
  const page = (await getJson(access, `/v3/customers?id:in=${encodeURIComponent(customerId)}`)) as {
    data?: unknown[];
  };
  const customer = Array.isArray(page?.data) ? page.data[0] : undefined;
  if (customer === undefined) throw new StoreRefusedError(`BigCommerce has no customer ${customerId}`, 404);
  return customer;
}
