// An API Gateway HTTP API (payload format 2.0) in front of the local handlers:
// the routes of lib/resources.ts, the same event shape, the same mapping of a
// handler's result to the HTTP answer, and API Gateway's own error answers.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routes, type ApiRoute, type FunctionName } from '../../lib/resources';

/** API Gateway's payload limit; huitou's own (smaller) limit is the handler's business. */
export const gatewayMaxBodyBytes = 10 * 1024 * 1024;

export interface RouteMatch {
  readonly route: ApiRoute;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

export class PortInUseError extends Error {
  constructor(readonly port: number, options?: { cause?: unknown }) {
    super(`port ${port} is already in use`, options);
    this.name = 'PortInUseError';
  }
}

interface CompiledRoute {
  readonly route: ApiRoute;
  readonly segments: readonly string[];
  readonly greedy: boolean;
}

const compiled: readonly CompiledRoute[] = routes.map((route) => {
  const segments = route.path.split('/').slice(1);
  return { route, segments, greedy: segments.at(-1)?.endsWith('+}') ?? false };
});

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * The path as an HTTP API hands it over in rawPath: percent-decoded once (so
 * %2F splits segments). Undefined for a path that cannot be decoded.
 */
export function decodeRequestPath(url: string): string | undefined {
  const queryAt = url.indexOf('?');
  return decode(queryAt === -1 ? url : url.slice(0, queryAt));
}

/**
 * Finds the route for a request like API Gateway: a literal or {param} segment
 * matches one segment of the decoded path, a trailing {proxy+} one or more.
 * Each parameter is decoded once more, as HTTP APIs do, and a parameter that
 * cannot be decoded matches no route. The most specific route wins: no greedy
 * part over greedy, a method over ANY, more literal segments.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch | undefined {
  const parts = rawPath.split('/').slice(1);
  let best: { match: RouteMatch; score: number } | undefined;
  for (const { route, segments, greedy } of compiled) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const fixed = greedy ? segments.length - 1 : segments.length;
    if (greedy ? parts.length < segments.length : parts.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    let literals = 0;
    let matches = true;
    for (let i = 0; i < fixed; i++) {
      const segment = segments[i] ?? '';
      const part = parts[i] ?? '';
      if (segment.startsWith('{') && segment.endsWith('}')) {
        const value = decode(part);
        if (part === '' || value === undefined) matches = false;
        else parameters[segment.slice(1, -1)] = value;
      } else if (segment === part) {
        literals++;
      } else {
        matches = false;
      }
      if (!matches) break;
    }
    if (!matches) continue;
    if (greedy) {
      const rest = decode(parts.slice(fixed).join('/'));
      if (rest === '' || rest === undefined) continue;
      parameters[(segments.at(-1) ?? '{proxy+}').slice(1, -2)] = rest;
    }
    const score = (greedy ? 0 : 10_000) + (route.method === 'ANY' ? 0 : 1_000) + literals;
    if (!best || score > best.score) {
      best = {
        score,
        match: {
          route,
          routeKey: `${route.method} ${route.path}`,
          pathParameters: Object.keys(parameters).length > 0 ? parameters : undefined,
        },
      };
    }
  }
  return best?.match;
}

/** Content types API Gateway passes as text; every other body arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    (type.startsWith('application/') && type.endsWith('+json')) ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/xml'
  );
}

function gatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
}

export interface EventInput {
  readonly method: string;
  readonly url: string;
  /** Node's rawHeaders: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer | undefined;
  readonly sourceIp: string;
  readonly localPort: number;
  readonly httpVersion: string;
  readonly match: RouteMatch;
  readonly now?: Date;
}

export function buildEvent(input: EventInput): APIGatewayProxyEventV2 {
  const now = input.now ?? new Date();
  const queryAt = input.url.indexOf('?');
  const path = queryAt === -1 ? input.url : input.url.slice(0, queryAt);
  const rawPath = decode(path) ?? path;
  const rawQueryString = queryAt === -1 ? '' : input.url.slice(queryAt + 1);

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < input.rawHeaders.length; i += 2) {
    const name = (input.rawHeaders[i] ?? '').toLowerCase();
    const value = input.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      // Payload 2.0 moves cookies out of the headers into `cookies`.
      cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c !== ''));
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${input.sourceIp}` : input.sourceIp;
  headers['x-forwarded-port'] = String(input.localPort);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString !== '') {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      const existing = queryStringParameters[key];
      queryStringParameters[key] = existing === undefined ? value : `${existing},${value}`;
    }
  }

  let body: string | undefined;
  let isBase64Encoded = false;
  if (input.body && input.body.length > 0) {
    if (isTextContentType(headers['content-type'])) {
      body = input.body.toString('utf8');
    } else {
      body = input.body.toString('base64');
      isBase64Encoded = true;
    }
  }

  const domainName = headers.host ?? `127.0.0.1:${input.localPort}`;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.match.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: input.method,
        path: rawPath,
        protocol: `HTTP/${input.httpVersion}`,
        sourceIp: input.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(10).toString('base64'),
      routeKey: input.match.routeKey,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  if (input.match.pathParameters) event.pathParameters = input.match.pathParameters;
  if (body !== undefined) event.body = body;
  return event;
}

export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

function isStructured(result: unknown): result is APIGatewayProxyStructuredResultV2 & { cookies?: string[] } {
  return typeof result === 'object' && result !== null && 'statusCode' in result;
}

/**
 * Maps a handler's result as API Gateway does for payload 2.0: a result with a
 * statusCode is taken as is; anything else is a 200 JSON answer with the
 * result as its body.
 */
export function toHttpAnswer(result: unknown): HttpAnswer {
  if (!isStructured(result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body, 'utf8') };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const text = result.body ?? '';
  return {
    statusCode: result.statusCode ?? 200,
    headers,
    cookies: result.cookies ?? [],
    body: result.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

function sendJson(response: ServerResponse, statusCode: number, payload: unknown, requestId: string): void {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'apigw-requestid': requestId,
  });
  response.end(body);
}

export type Invoke = (fn: FunctionName, event: APIGatewayProxyEventV2) => Promise<unknown>;

export interface HttpGateway {
  readonly server: Server;
  /** Binds 127.0.0.1:port (0 = any free port) and resolves with the port. */
  listen(port: number): Promise<number>;
  /** Until then every request gets 503: the port is bound before the emulators start. */
  setInvoke(invoke: Invoke): void;
  close(): Promise<void>;
}

export function createHttpGateway(input: { log: (line: string) => void; maxBodyBytes?: number }): HttpGateway {
  const maxBodyBytes = input.maxBodyBytes ?? gatewayMaxBodyBytes;
  let invoke: Invoke | undefined;

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      input.log(`gateway: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' }, randomUUID());
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomBytes(10).toString('base64');
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    if (!invoke) {
      request.resume();
      sendJson(response, 503, { error: { code: 'starting', message: 'The local stack is still starting' } }, requestId);
      return;
    }
    const rawPath = decodeRequestPath(url);
    if (rawPath === undefined) {
      // No capture shows what API Gateway answers to a path it cannot decode;
      // front ends answer a malformed request target with 400, and so does this one.
      request.resume();
      sendJson(response, 400, { error: { code: 'bad_request', message: 'The request path holds a malformed percent-escape' } }, requestId);
      return;
    }
    const match = matchRoute(method, rawPath);
    if (!match) {
      request.resume();
      sendJson(response, 404, { error: { code: 'not_found', message: `No route for ${method} ${rawPath}` } }, requestId);
      return;
    }
    const body = await readBody(request, maxBodyBytes);
    if (body === 'too_large') {
      response.once('finish', () => request.socket.destroy());
      response.setHeader('connection', 'close');
      sendJson(
        response,
        413,
        { error: { code: 'payload_too_large', message: `The request body is larger than ${maxBodyBytes} bytes` } },
        requestId,
      );
      return;
    }
    const event = buildEvent({
      method,
      url,
      rawHeaders: request.rawHeaders,
      body,
      sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      localPort: request.socket.localPort ?? 0,
      httpVersion: request.httpVersion,
      match,
    });
    let answer: HttpAnswer;
    try {
      answer = toHttpAnswer(await invoke(match.route.function, event));
    } catch (error) {
      // Like API Gateway: the error stays in the function's log, the client sees a bare 500.
      input.log(`${match.route.function}: ${(error as Error).stack ?? String(error)}`);
      sendJson(response, 500, { message: 'Internal Server Error' }, requestId);
      return;
    }
    const headers: Record<string, string | string[]> = { ...answer.headers, 'apigw-requestid': requestId };
    if (answer.cookies.length > 0) headers['set-cookie'] = [...answer.cookies];
    headers['content-length'] = String(answer.body.length);
    response.writeHead(answer.statusCode, headers);
    response.end(answer.body);
  }

  return {
    server,
    listen: (port) =>
      new Promise<number>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException): void => {
          reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, { cause: error }) : error);
        };
        server.once('error', onError);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', onError);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    setInvoke: (next) => {
      invoke = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 10 s are cut off.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      }),
  };
}

/** The raw body, undefined when empty, or 'too_large' once past the limit (reading stops). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined | 'too_large'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading but keep the socket until the 413 is written.
        request.off('data', onData);
        request.pause();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(size === 0 ? undefined : Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
}
