// The HTTP exchange every coupon provider shares: the base URL passes the
// store URL policy again at each call (settings may predate a stricter
// check), the request goes through the guarded store transport, and the
// answer is sorted into what a retry may fix (CouponUnavailableError: 408,
// 429, 5xx, network, timeout) and what it never will (CouponRejectedError).
// Messages name the platform, the step and the status, never a credential
// or the customer's address.
import { checkStoreApiUrl } from '../../domain/store-url';
import { ValidationError, CouponRejectedError, CouponUnavailableError, StoreRefusedError } from '../../shared/errors';
import { StoreAddressRefusedError, storeRequest, type StoreApiOptions, type StoreRequest } from '../store-http';

export interface PlatformAnswer {
  status: number;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  json: unknown;
}

export interface PlatformCall {
  platform: 'Shopify' | 'WooCommerce' | 'BigCommerce';
  /** The step, for messages: "create the discount", "look the code up". */
  step: string;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Sends one request; answers any status the platform gave except those a retry may fix. */
export async function callPlatform(
  call: PlatformCall,
  baseUrl: string,
  path: string,
  request: StoreRequest,
  options: StoreApiOptions,
): Promise<PlatformAnswer> {
  const verdict = checkStoreApiUrl(baseUrl, options.policy);
  if (!verdict.ok) throw new CouponRejectedError(`${call.platform} API base URL ${verdict.reason}`, 0);
  const url = new URL(`${verdict.url.href.replace(/\/+$/, '')}${path}`);
  let answer;
  try {
    answer = await storeRequest(url, request, options);
  } catch (error) {
    if (error instanceof StoreAddressRefusedError || error instanceof StoreRefusedError) {
      throw new CouponRejectedError(`${call.platform} API not called to ${call.step}: ${error.message}`, 0);
    }
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
    throw new CouponUnavailableError(`${call.platform} API unreachable to ${call.step} (${code})`, { cause: error });
  }
  const { status } = answer;
  if (status === 408 || status === 429 || status >= 500) {
    throw new CouponUnavailableError(`${call.platform} API answered ${status} to ${call.step}`);
  }
  if (status >= 300 && status < 400) {
    throw new CouponRejectedError(`${call.platform} API answered ${status} to ${call.step}; redirects are not followed`, status);
  }
  return { status, json: parseJson(answer.body) };
}

/** The platform's own error code in a refusal (WooCommerce `code`, BigCommerce `title`), for the message. */
function platformErrorCode(json: unknown): string {
  const body = json as { code?: unknown; title?: unknown; errors?: unknown } | undefined;
  const code = body?.code ?? body?.title;
  return typeof code === 'string' ? `: ${code.slice(0, 120)}` : '';
}

/** The JSON of a 2xx answer; any other status is a refusal. */
export function okJson(call: PlatformCall, answer: PlatformAnswer): unknown {
  if (answer.status < 200 || answer.status >= 300) {
    throw new CouponRejectedError(`${call.platform} refused to ${call.step}: ${answer.status}${platformErrorCode(answer.json)}`, answer.status);
  }
  if (answer.json === undefined) {
    throw new CouponRejectedError(`${call.platform} answered ${answer.status} to ${call.step} without a JSON body`, answer.status);
  }
  return answer.json;
}

/** Builds a request from the domain; terms it cannot express (a fixed amount without a currency) never will be. */
export function buildRequest<T>(platform: PlatformCall['platform'], build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ValidationError) throw new CouponRejectedError(`${platform} coupon not requested: ${error.message}`, 0);
    throw error;
  }
}
