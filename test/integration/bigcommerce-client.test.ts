// The BigCommerce client against local fake stores: the token goes only to a
// public address, checked when connecting (DNS rebinding), and no redirect is
// followed. Name resolution is answered by the test.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchBigCommerceOrder, type StoreApiOptions } from '../../functions/adapters/bigcommerce-client';
import { StoreRefusedError, TransientError } from '../../functions/shared/errors';

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
  it('sends a GET again on a new socket when the store had closed the kept-alive one it went out on', async () => {
    // The store answers the first request and keeps the socket; it drops the
    // second request on that socket unanswered, as a server does whose idle
    // timeout fired just as the request arrived.
    let served = 0;
    const flaky = createServer((request, response) => {
      if (request.url?.endsWith('/products?limit=50')) {
        response.writeHead(204, { connection: 'keep-alive' });
        return response.end();
      }
      served += 1;
      if (served === 2) {
        request.socket.destroy();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' });
      response.end(JSON.stringify({ id: served }));
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const access = { apiBaseUrl: `http://localhost:${(flaky.address() as AddressInfo).port}`, apiToken: 'tok' };
    const options = { policy: local, resolve: resolvingTo('127.0.0.1') };
    try {
      const first = await fetchBigCommerceOrder(access, '1', options);
      const second = await fetchBigCommerceOrder(access, '2', options);

      expect([first, second]).toEqual([
        { id: 1, products: [] },
        { id: 3, products: [] },
      ]);
    } finally {
      flaky.closeAllConnections();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  describe('the lines of an order', () => {
    const products = [{ id: 1, order_id: 7, name: 'Orbit Terrarium', sku: 'OT', quantity: 2 }];
    let lines: FakeStore;
    let linesAnswer: { status: number; body?: string };

    beforeAll(async () => {
      lines = await fakeStore((request) =>
        request.url?.includes('/products') ? linesAnswer : { status: 200, body: JSON.stringify({ id: 7 }) },
      );
    });

    afterAll(async () => {
      await new Promise((resolve) => lines.server.close(resolve));
    });

    const fetchSeven = () =>
      fetchBigCommerceOrder({ apiBaseUrl: `http://127.0.0.1:${lines.port}`, apiToken: 'tok' }, '7', { policy: local });

    it('attaches the first 50 products of the order, asked for with the token', async () => {
      linesAnswer = { status: 200, body: JSON.stringify(products) };
      lines.seen.length = 0;

      expect(await fetchSeven()).toEqual({ id: 7, products });
      expect(lines.seen.map((request) => [request.url, request.headers['x-auth-token']])).toEqual([
        ['/v2/orders/7', 'tok'],
        ['/v2/orders/7/products?limit=50', 'tok'],
      ]);
    });

    it('attaches no products for the 204 of an order without any', async () => {
      linesAnswer = { status: 204 };

      expect(await fetchSeven()).toEqual({ id: 7, products: [] });
    });

    it('gives the order without products when the store refuses them or answers something else', async () => {
      for (const answer of [{ status: 404, body: '[{"status":404}]' }, { status: 200, body: '{"url":"x"}' }, { status: 200, body: 'no json' }]) {
        linesAnswer = answer;

        expect(await fetchSeven(), answer.body).toEqual({ id: 7 });
      }
    });

    it('fails like the order itself when the store cannot answer for the lines now', async () => {
      linesAnswer = { status: 503 };

      await expect(fetchSeven()).rejects.toThrow(TransientError);
    });
  });
});
