// The BigCommerce client against local fake stores: the token goes only to a
// public address, checked when connecting (DNS rebinding), and no redirect is
// followed. Name resolution is answered by the test.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchBigCommerceOrder, StoreRefusedError, type StoreApiOptions } from '../../functions/adapters/bigcommerce-client';

interface FakeStore {
  server: Server;
  port: number;
  seen: IncomingMessage[];
  connections: number;
}

async function fakeStore(answer: (request: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }): Promise<FakeStore> {
  const store = { seen: [] as IncomingMessage[], connections: 0 } as FakeStore;
  store.server = createServer((request, response) => {
    store.seen.push(request);
    const { status, headers, body } = answer(request);
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body ?? '');
  });
  store.server.on('connection', () => (store.connections += 1));
  await new Promise<void>((resolve) => store.server.listen(0, '127.0.0.1', resolve));
  store.port = (store.server.address() as AddressInfo).port;
  return store;
}

/** A resolver that answers every name with these addresses. */
function resolvingTo(...addresses: string[]): StoreApiOptions['resolve'] {
  const answer: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  return (_hostname, _options, callback) => callback(null, answer);
}

const deployed = { allowLoopback: false };
const local = { allowLoopback: true };
let store: FakeStore;
let other: FakeStore;

beforeAll(async () => {
  other = await fakeStore(() => ({ status: 200, body: '{"stolen":true}' }));
  store = await fakeStore((request) =>
    request.url?.startsWith('/v2/orders/moved')
      ? { status: 302, headers: { location: `http://127.0.0.1:${other.port}/v2/orders/1` } }
      : { status: 200, body: JSON.stringify({ id: 1, token: request.headers['x-auth-token'] }) },
  );
});

afterAll(async () => {
  for (const fake of [store, other]) await new Promise((resolve) => fake?.server.close(resolve));
});

beforeEach(() => {
  for (const fake of [store, other]) {
    fake.seen.length = 0;
    fake.connections = 0;
  }
});

describe('Adapter: BigCommerce client', () => {
  it('fetches with the token from a store on loopback when the local stack allows it', async () => {
    const order = await fetchBigCommerceOrder({ apiBaseUrl: `http://localhost:${store.port}`, apiToken: 'tok' }, '1', {
      policy: local,
      resolve: resolvingTo('127.0.0.1'),
    });

    expect(order).toEqual({ id: 1, token: 'tok' });
  });

  it('never connects when a public-looking name resolves to a loopback or private address', async () => {
    const access = { apiBaseUrl: `https://store.example.com:${store.port}`, apiToken: 'tok' };

    for (const addresses of [['127.0.0.1'], ['93.184.215.14', '127.0.0.1'], ['::ffff:127.0.0.1'], ['169.254.169.254']]) {
      const fetching = fetchBigCommerceOrder(access, '1', { policy: deployed, resolve: resolvingTo(...addresses) });
      await expect(fetching, addresses.join()).rejects.toThrow(StoreRefusedError);
      await expect(fetching).rejects.toThrow(/resolves to/);
    }
    expect(store.connections).toBe(0);
  });

  it('refuses a stored base URL that is not a public https URL before any connection', async () => {
    const urls = ['http://169.254.169.254/latest', 'file:///etc/passwd', `http://127.0.0.1:${store.port}`, 'https://2130706433/'];

    for (const apiBaseUrl of urls) {
      await expect(fetchBigCommerceOrder({ apiBaseUrl, apiToken: 'tok' }, '1', { policy: deployed }), apiBaseUrl).rejects.toThrow(
        StoreRefusedError,
      );
    }
    expect(store.connections).toBe(0);
  });

  it('does not follow a redirect, so the token goes nowhere else', async () => {
    const fetching = fetchBigCommerceOrder({ apiBaseUrl: `http://127.0.0.1:${store.port}`, apiToken: 'tok' }, 'moved', { policy: local });

    await expect(fetching).rejects.toThrow(/302.*redirects are not followed/);
    expect(store.seen).toHaveLength(1);
    expect(other.connections).toBe(0);
  });
});
