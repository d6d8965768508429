// Whether store API URLs may point at loopback (http included). Only the local
// stack sets the variable, for the functions that check or call store APIs
// (admin, processor), so tests can aim at local fakes; a deployed stack never
// sets it. Read once per cold start, like the rest of the configuration.
import type { StoreUrlPolicy } from '../domain/store-url';

export const allowLoopbackStoreApiEnv = 'HUITOU_ALLOW_LOOPBACK_STORE_API';

export function storeUrlPolicy(env: NodeJS.ProcessEnv = process.env): StoreUrlPolicy {
  return { allowLoopback: env[allowLoopbackStoreApiEnv] === '1' };
}
