// One request to a store API, where huitou sends the store's token or keys.
// The credentials go only to a public https address: every address the host
// resolves to is checked, the connection goes to the checked address, no
// redirect is followed, the answer is bounded and every call has a timeout.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { refusedAddress, type StoreUrlPolicy } from '../domain/store-url';
import { HuitouError, StoreRefusedError } from '../shared/errors';

/** The store's host resolved to an address huitou must not connect to. */
export class StoreAddressRefusedError extends HuitouError {}

export interface StoreApiOptions {
  policy: StoreUrlPolicy;
  /** Name resolution, dns.lookup unless a test answers for it. */
  resolve?: (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;
}

export interface StoreRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface StoreAnswer {
  status: number;
  body: Buffer;
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

class StaleSocketError extends HuitouError {}

/**
 * A GET sent on a kept-alive socket the server closed meanwhile fails with
 * ECONNRESET before the server saw it; it is sent once more on a new socket
 * (the pattern Node's http docs give for `request.reusedSocket`). A POST is
 * not sent twice here: its caller decides whether a retry is safe.
 */
export async function storeRequest(url: URL, request: StoreRequest, options: StoreApiOptions): Promise<StoreAnswer> {
  try {
    return await storeRequestOnce(url, request, options);
  } catch (error) {
    if (!(error instanceof StaleSocketError) || request.method !== 'GET') throw error;
    return storeRequestOnce(url, request, options);
  }
}

function storeRequestOnce(url: URL, { method, headers, body }: StoreRequest, options: StoreApiOptions): Promise<StoreAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      { method, headers, lookup: guardedLookup(options), signal: AbortSignal.timeout(timeoutMs) },
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
    request.on('error', (error: NodeJS.ErrnoException) => {
      reject(request.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocketError(error.message, { cause: error }) : error);
    });
    request.end(body);
  });
}
