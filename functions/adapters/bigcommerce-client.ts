// BigCommerce webhooks carry ids only; the order and customer come from the
// store's API with the channel's token. The token goes only to a public https
// address: the base URL is checked again here (it may predate the check at
// channel creation), every address its host resolves to is checked, the
// connection goes to the checked address, and no redirect is followed.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkStoreApiUrl, refusedAddress, type StoreUrlPolicy } from '../domain/store-url';
import { HuitouError, TransientError } from '../shared/errors';

/** The store answered, but not with the resource: staff must act (token, scope, deleted order, URL). */
export class StoreRefusedError extends HuitouError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The store's host resolved to an address huitou must not connect to. */
export class StoreAddressRefusedError extends HuitouError {}

export interface BigCommerceAccess {
  apiBaseUrl: string;
  apiToken: string;
}

export interface StoreApiOptions {
  policy: StoreUrlPolicy;
  /** Name resolution, dns.lookup unless a test answers for it. */
  resolve?: (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;
}

const maxResponseBytes = 8 * 1024 * 1024;
const timeoutMs = 10_000;

/** Resolves like dns.lookup, then refuses the connection if any address is not public. */
function guardedLookup(options: StoreApiOptions): LookupFunction {
  const resolve = options.resolve ?? dnsLookup;
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = addresses.map(({ address }) => refusedAddress(address, options.policy)).find((reason) => reason !== undefined);
      const first = addresses[0];
      if (refused !== undefined || first === undefined) {
        return callback(new StoreAddressRefusedError(`${hostname} resolves to ${refused ?? 'no address'}`), '');
      }
      return lookupOptions.all ? callback(null, addresses) : callback(null, first.address, first.family);
    });
  };
}

function get(url: URL, headers: Record<string, string>, options: StoreApiOptions): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      { method: 'GET', headers, lookup: guardedLookup(options), signal: AbortSignal.timeout(timeoutMs) },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) request.destroy(new StoreRefusedError(`answer is over ${maxResponseBytes} bytes`, response.statusCode ?? 0));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

async function getJson(access: BigCommerceAccess, path: string, options: StoreApiOptions): Promise<unknown> {
  const verdict = checkStoreApiUrl(access.apiBaseUrl, options.policy);
  if (!verdict.ok) throw new StoreRefusedError(`BigCommerce API base URL ${verdict.reason}`, 0);
  const url = new URL(`${verdict.url.href.replace(/\/+$/, '')}${path}`);
  let answer: { status: number; body: Buffer };
  try {
    answer = await get(url, { 'x-auth-token': access.apiToken, accept: 'application/json' }, options);
  } catch (error) {
    if (error instanceof StoreAddressRefusedError) {
      throw new StoreRefusedError(`BigCommerce API not called for ${path}: ${error.message}`, 0);
    }
    if (error instanceof StoreRefusedError) throw error;
    throw new TransientError(`BigCommerce API unreachable for ${path}`, { cause: error });
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
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new StoreRefusedError(`BigCommerce API sent a body that is not JSON for ${path}`, answer.status);
  }
}

export function fetchBigCommerceOrder(access: BigCommerceAccess, orderId: string, options: StoreApiOptions): Promise<unknown> {
  return getJson(access, `/v2/orders/${encodeURIComponent(orderId)}`, options);
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
