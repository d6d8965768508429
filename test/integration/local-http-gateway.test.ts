// The local HTTP API: API Gateway HTTP API payload 2.0 events in, handler
// results out, against the real emulators with small test handlers.
import { request } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch: repeated headers, raw bytes, and answers sent before the body is read. */
function send(
  url: string,
  input: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string; chunked?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: input.method ?? 'GET', headers: input.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close the socket while a too large body is still being written.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (input.body !== undefined && input.chunked) {
      const body = Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body);
      for (let i = 0; i < body.length; i += 1024 * 1024) req.write(body.subarray(i, i + 1024 * 1024));
      req.end();
    } else {
      req.end(input.body);
    }
  });
}

const binaryBytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f, 0x0a, 0xc3, 0x28]);
const events: APIGatewayProxyEventV2[] = [];
let stack: LocalStack;

function lastEvent(): APIGatewayProxyEventV2 {
  const event = events.at(-1);
  if (!event) throw new Error('no event seen');
  return event;
}

beforeAll(async () => {
  stack = await startLocalStack({
    inMemory: true,
    port: 0,
    tableName: `local-http-${process.pid}`,
    adminKey: 'test-admin-key',
    bootstrapAdminKey: async () => undefined,
    handlers: {
      webhook: async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
        events.push(event);
        return { statusCode: 202, headers: { 'X-Echo': 'yes', 'content-type': 'application/json' }, body: '{"accepted":true}' };
      },
      admin: async (event: APIGatewayProxyEventV2): Promise<unknown> => {
        events.push(event);
        switch (event.pathParameters?.proxy) {
          case 'binary':
            return {
              statusCode: 200,
              headers: { 'content-type': 'image/png' },
              isBase64Encoded: true,
              body: binaryBytes.toString('base64'),
            };
          case 'plain':
            return { hello: 'world' };
          case 'text':
            return 'just text';
          case 'cookies':
            return { statusCode: 201, cookies: ['a=1; Path=/', 'b=2; HttpOnly'], body: '' };
          case 'throws':
            throw new Error('handler failed');
          default:
            return { statusCode: 200, body: 'ok' };
        }
      },
      processor: async () => ({ batchItemFailures: [] }),
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('Local HTTP gateway: events', () => {
  it('builds a payload 2.0 event with route key, path parameters, lower-case headers and a text JSON body', async () => {
    const body = JSON.stringify({ id: 1, name: 'café' });
    const answer = await send(`${stack.apiUrl}/webhooks/shopify/ch_1?x=1&x=2&y=%C3%A9`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Shopify-Topic': 'orders/create',
        'X-Dup': ['a', 'b'],
        Cookie: 'c1=v1; c2=v2',
        'User-Agent': 'huitou-test',
      },
      body,
    });

    expect(answer.status).toBe(202);
    const event = lastEvent();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/{platform}/{channelId}',
      rawPath: '/webhooks/shopify/ch_1',
      rawQueryString: 'x=1&x=2&y=%C3%A9',
      queryStringParameters: { x: '1,2', y: 'é' },
      pathParameters: { platform: 'shopify', channelId: 'ch_1' },
      cookies: ['c1=v1', 'c2=v2'],
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        domainName: new URL(stack.apiUrl).host,
        routeKey: 'POST /webhooks/{platform}/{channelId}',
        stage: '$default',
        http: { method: 'POST', path: '/webhooks/shopify/ch_1', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'huitou-test' },
      },
    });
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-dup': 'a,b',
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '127.0.0.1',
      'content-length': String(Buffer.byteLength(body)),
    });
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.timeEpoch).toBeGreaterThan(Date.now() - 60_000);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('passes a binary content type base64-encoded', async () => {
    await send(`${stack.apiUrl}/webhooks/standard/ch_2`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: binaryBytes,
    });

    const event = lastEvent();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(binaryBytes);
  });

  it('passes +json and form bodies as text, and no body as undefined', async () => {
    await send(`${stack.apiUrl}/webhooks/standard/ch_3`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
      body: '{"a":1}',
    });
    expect(lastEvent()).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });

    await send(`${stack.apiUrl}/webhooks/woocommerce/ch_4`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=7',
    });
    expect(lastEvent()).toMatchObject({ body: 'webhook_id=7', isBase64Encoded: false });

    await send(`${stack.apiUrl}/webhooks/woocommerce/ch_5`, { method: 'POST' });
    expect(lastEvent().body).toBeUndefined();
    expect(lastEvent().isBase64Encoded).toBe(false);
  });

  it('routes every method to an ANY route with a greedy proxy parameter, path decoded as HTTP APIs do', async () => {
    await send(`${stack.apiUrl}/admin/customers/c%201/orders`, { method: 'DELETE' });

    expect(lastEvent()).toMatchObject({
      routeKey: 'ANY /admin/{proxy+}',
      rawPath: '/admin/customers/c 1/orders',
      pathParameters: { proxy: 'customers/c 1/orders' },
      requestContext: { http: { method: 'DELETE', path: '/admin/customers/c 1/orders' } },
    });
  });
});

describe('Local HTTP gateway: percent-encoded paths, as HTTP APIs hand them over', () => {
  it('decodes rawPath once and each path parameter once more', async () => {
    await send(`${stack.apiUrl}/admin/customers/a%252Fb`);

    expect(lastEvent()).toMatchObject({
      rawPath: '/admin/customers/a%2Fb',
      pathParameters: { proxy: 'customers/a/b' },
    });
  });

  it('splits segments at an encoded slash before it matches a route', async () => {
    const before = events.length;

    const answer = await send(`${stack.apiUrl}/webhooks/shopify/ch%2F1`, { method: 'POST', body: '{}' });

    expect(answer.status).toBe(404);
    expect(events.length).toBe(before);
  });

  it('matches no route when a parameter cannot be decoded the second time', async () => {
    const before = events.length;

    const webhook = await send(`${stack.apiUrl}/webhooks/shopify/ch%25`, { method: 'POST', body: '{}' });
    const admin = await send(`${stack.apiUrl}/admin/customers/%25`);

    expect([webhook.status, admin.status]).toEqual([404, 404]);
    expect(events.length).toBe(before);
  });

  it('answers 400 bad_request to a path that cannot be decoded at all', async () => {
    const before = events.length;

    const answers = await Promise.all(['/admin/customers/%', '/admin/%zz', '/webhooks/shopify/%E0%A4%A'].map((path) => send(`${stack.apiUrl}${path}`)));

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400]);
    expect(JSON.parse(answers[0]!.body.toString())).toMatchObject({ error: { code: 'bad_request' } });
    expect(events.length).toBe(before);
  });
});

describe('Local HTTP gateway: answers', () => {
  it('maps statusCode, headers and body of a structured result', async () => {
    const answer = await send(`${stack.apiUrl}/webhooks/shopify/ch_1`, { method: 'POST', body: '{}' });

    expect(answer.status).toBe(202);
    expect(answer.headers['x-echo']).toBe('yes');
    expect(answer.headers['apigw-requestid']).toEqual(expect.any(String));
    expect(JSON.parse(answer.body.toString())).toEqual({ accepted: true });
  });

  it('decodes a base64 body', async () => {
    const answer = await send(`${stack.apiUrl}/admin/binary`);

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('image/png');
    expect(answer.body).toEqual(binaryBytes);
  });

  it('turns a plain object or string into a 200 JSON answer', async () => {
    const plain = await send(`${stack.apiUrl}/admin/plain`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/json');
    expect(JSON.parse(plain.body.toString())).toEqual({ hello: 'world' });

    const text = await send(`${stack.apiUrl}/admin/text`);
    expect(text.status).toBe(200);
    expect(text.body.toString()).toBe('just text');
  });

  it('sends each cookie as its own Set-Cookie header', async () => {
    const answer = await send(`${stack.apiUrl}/admin/cookies`);

    expect(answer.status).toBe(201);
    expect(answer.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
  });

  it('answers 500 like API Gateway when the handler throws', async () => {
    const answer = await send(`${stack.apiUrl}/admin/throws`);

    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body.toString())).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 404 not_found when no route matches', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/webhooks/shopify/ch_1'],
      ['GET', '/admin'],
      ['POST', '/webhooks/shopify'],
    ] as const) {
      const answer = await send(`${stack.apiUrl}${path}`, { method });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(answer.body.toString())).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it('answers 413 payload_too_large past 10 MB, declared or streamed', async () => {
    const tooLarge = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
    const before = events.length;

    const declared = await send(`${stack.apiUrl}/webhooks/shopify/ch_1`, { method: 'POST', body: tooLarge });
    const streamed = await send(`${stack.apiUrl}/webhooks/shopify/ch_1`, { method: 'POST', body: tooLarge, chunked: true });

    for (const answer of [declared, streamed]) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body.toString())).toMatchObject({ error: { code: 'payload_too_large' } });
    }
    expect(events.length).toBe(before);
  });
});
