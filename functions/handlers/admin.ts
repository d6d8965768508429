// /admin/*: the API store staff and the huitou CLI use. Every route names the
// right it needs; the key is checked on every request.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { createApiKey, findApiKey, revokeApiKey } from '../adapters/api-keys';
import {
  channelView,
  createChannel,
  getChannel,
  listChannels,
  replaceChannel,
  type Channel,
} from '../adapters/channel-store';
import { ordersOfCustomer, searchCustomers } from '../adapters/customer-queries';
import { DynamoCustomerRepository } from '../adapters/customer-store';
import { enqueueDelivery, gunzipBase64 } from '../adapters/ingest-queue';
import { getExport, listExports } from '../adapters/privacy-store';
import {
  entryView,
  getQuarantine,
  listQuarantine,
  setQuarantineStatus,
} from '../adapters/quarantine-store';
import { testDelivery } from '../app/test-delivery';
import { can, roles, type Right, type Role } from '../domain/access';
import { rotateSecrets } from '../domain/channels';
import { customerView } from '../domain/customers';
import { isId, type IdKind } from '../domain/ids';
import { platforms } from '../domain/model';
import { orderView } from '../domain/orders';
import { functionConfig } from '../shared/config';
import { functions } from '../../lib/resources';
import { redriveDeadLetters } from '../app/dead-letters';
import { SqsDeadLetterQueue } from '../adapters/dead-letter-queue';
import { DynamoFailureStore } from '../adapters/failure-store';
import { checkStoreApiUrl } from '../domain/store-url';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../shared/errors';
import { httpErrors, json, rawBody, type HttpResult } from '../shared/http';
import { logger } from '../shared/observability';
import { storeUrlPolicy } from '../shared/store-url-policy';

const { tableName, queueUrls, dlqUrls } = functionConfig('admin');
const ingestQueueUrl = queueUrls.ingest;
const failures = new DynamoFailureStore(tableName);
/** A redrive stops taking new batches this long before the function's timeout. */
const redriveBudgetMs = (functions.admin.timeoutSeconds - 9) * 1000;
const customers = new DynamoCustomerRepository(tableName);
const urlPolicy = storeUrlPolicy();

interface Request {
  event: APIGatewayProxyEventV2;
  params: string[];
}

function parseBody<T extends z.ZodType>(schema: T, event: APIGatewayProxyEventV2): z.infer<T> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody(event).toString('utf8') || '{}');
  } catch {
    throw new ValidationError('body is not JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError(
      'body does not fit',
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

function query(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const value = event.queryStringParameters?.[name];
  return value === undefined || value === '' ? undefined : value;
}

function limitOf(event: APIGatewayProxyEventV2): number {
  const raw = query(event, 'limit');
  if (raw === undefined) return 50;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new ValidationError('limit must be 1 to 200');
  return limit;
}

function webhookUrl(event: APIGatewayProxyEventV2, channel: Channel): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  return `${proto}://${event.requestContext.domainName}/webhooks/${channel.platform}/${channel.id}`;
}

function publicChannel(event: APIGatewayProxyEventV2, channel: Channel) {
  return { ...channelView(channel), webhookUrl: webhookUrl(event, channel) };
}

// The store token is sent to this URL: a public https address only (see domain/store-url.ts).
const storeApiUrlSchema = z
  .string()
  .max(2048)
  .superRefine((raw, ctx) => {
    const verdict = checkStoreApiUrl(raw, urlPolicy);
    if (!verdict.ok) ctx.addIssue({ code: 'custom', message: verdict.reason });
  });

const newChannelSchema = z
  .object({
    platform: z.enum(platforms),
    name: z.string().trim().min(1).max(200),
    webhookSecret: z.string().min(1).max(1024),
    apiBaseUrl: storeApiUrlSchema.optional(),
    apiToken: z.string().min(1).max(1024).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code').optional(),
  })
  .strict()
  .refine((c) => c.platform !== 'bigcommerce' || (c.apiBaseUrl && c.apiToken), {
    message: 'BigCommerce channels need apiBaseUrl and apiToken: its webhooks carry only ids',
    path: ['apiBaseUrl'],
  });

const channelPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    webhookSecret: z.string().min(1).max(1024).optional(),
    previousWebhookSecret: z.null().optional(),
    apiBaseUrl: storeApiUrlSchema.optional(),
    apiToken: z.string().min(1).max(1024).optional(),
  })
  .strict();

async function channelOrThrow(id: string): Promise<Channel> {
  const channel = await getChannel(tableName, id);
  if (!channel) throw new NotFoundError(`no channel ${id}`);
  return channel;
}

type Route = {
  method: string;
  path: RegExp;
  right: Right;
  /** The kind of id each captured part of the path must be; anything else names nothing (404). */
  ids?: IdKind[];
  run: (request: Request) => Promise<HttpResult>;
};

const routes: Route[] = [
  {
    method: 'POST',
    path: /^\/admin\/keys$/,
    right: 'manage',
    run: async ({ event }) => {
      const { role } = parseBody(z.object({ role: z.enum(roles) }).strict(), event);
      const created = await createApiKey(tableName, role);
      logger.info('api key created', { keyId: created.id, role });
      return json(201, created);
    },
  },
  {
    method: 'DELETE',
    path: /^\/admin\/keys\/([^/]+)$/,
    ids: ['apiKey'],
    right: 'manage',
    run: async ({ params: [id = ''] }) => {
      if (!(await revokeApiKey(tableName, id))) throw new NotFoundError(`no key ${id}`);
      return { statusCode: 204 };
    },
  },
  {
    method: 'POST',
    path: /^\/admin\/channels$/,
    right: 'manage',
    run: async ({ event }) => {
      const channel = await createChannel(tableName, parseBody(newChannelSchema, event));
      return json(201, publicChannel(event, channel));
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/channels$/,
    right: 'read',
    run: async ({ event }) => {
      const channels = await listChannels(tableName);
      return json(200, { items: channels.map((c) => publicChannel(event, c)), nextCursor: null });
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/channels\/([^/]+)$/,
    ids: ['channel'],
    right: 'read',
    run: async ({ event, params: [id = ''] }) => json(200, publicChannel(event, await channelOrThrow(id))),
  },
  {
    method: 'PATCH',
    path: /^\/admin\/channels\/([^/]+)$/,
    ids: ['channel'],
    right: 'manage',
    run: async ({ event, params: [id = ''] }) => {
      const patch = parseBody(channelPatchSchema, event);
      const channel = await channelOrThrow(id);
      if (channel.status !== 'active') throw new ConflictError(`channel ${id} was redacted`);
      const next: Channel = {
        ...channel,
        name: patch.name ?? channel.name,
        apiBaseUrl: patch.apiBaseUrl ?? channel.apiBaseUrl,
        apiToken: patch.apiToken ?? channel.apiToken,
        webhookSecrets: rotateSecrets(channel.webhookSecrets, patch),
        updatedAt: new Date().toISOString(),
      };
      await replaceChannel(tableName, channel, next);
      return json(200, publicChannel(event, next));
    },
  },
  {
    method: 'POST',
    path: /^\/admin\/channels\/([^/]+)\/test-delivery$/,
    ids: ['channel'],
    right: 'manage',
    run: async ({ event, params: [id = ''] }) => {
      const channel = await channelOrThrow(id);
      return json(200, { webhookUrl: webhookUrl(event, channel), ...testDelivery(channel, { now: new Date() }) });
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/customers$/,
    right: 'read',
    run: async ({ event }) => {
      const page = await searchCustomers(tableName, {
        email: query(event, 'email'),
        q: query(event, 'q'),
        channel: query(event, 'channel'),
        stage: query(event, 'stage'),
        segment: query(event, 'segment'),
        sort: query(event, 'sort'),
        cursor: query(event, 'cursor'),
        limit: limitOf(event),
      });
      return json(200, { items: page.items.map((profile) => customerView(profile)), nextCursor: page.nextCursor });
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/customers\/([^/]+)$/,
    ids: ['customer'],
    right: 'read',
    run: async ({ params: [id = ''] }) => {
      const profile = await customers.getProfile(id);
      if (!profile) throw new NotFoundError(`no customer ${id}`);
      const [orders, codes] = await Promise.all([ordersOfCustomer(tableName, id, 100), customers.listDiscountCodes(id)]);
      const discountCodes = codes.map(({ code }) => code);
      return json(200, { ...customerView(profile, discountCodes), orders: orders.map(orderView), history: [] });
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/quarantine$/,
    right: 'read',
    run: async ({ event }) => {
      const page = await listQuarantine(tableName, { cursor: query(event, 'cursor'), limit: limitOf(event) });
      return json(200, { items: page.items.map(entryView), nextCursor: page.nextCursor });
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/quarantine\/([^/]+)$/,
    ids: ['quarantine'],
    right: 'read',
    run: async ({ params: [id = ''] }) => {
      const entry = await getQuarantine(tableName, id);
      if (!entry) throw new NotFoundError(`no quarantine entry ${id}`);
      const body = entry.bodyGzip ? gunzipBase64(entry.bodyGzip).toString('utf8') : null;
      return json(200, { ...entryView(entry), body });
    },
  },
  {
    method: 'POST',
    path: /^\/admin\/quarantine\/([^/]+)\/replay$/,
    ids: ['quarantine'],
    right: 'manage',
    run: async ({ params: [id = ''] }) => {
      const entry = await getQuarantine(tableName, id);
      if (!entry) throw new NotFoundError(`no quarantine entry ${id}`);
      if (!entry.bodyGzip) throw new ConflictError(`entry ${id} has no body left to replay (${entry.status})`);
      await enqueueDelivery(ingestQueueUrl, {
        v: 1,
        channelId: entry.channelId,
        platform: entry.platform,
        topic: entry.topic,
        deliveryId: entry.deliveryId,
        eventId: entry.eventId,
        receivedAt: entry.receivedAt,
        bodyGzip: entry.bodyGzip,
        replayOf: entry.id,
      });
      await setQuarantineStatus(tableName, id, 'requeued');
      return json(202, { id, status: 'requeued' });
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/dead-letters$/,
    right: 'read',
    run: async ({ event }) => json(200, await failures.listDead({ cursor: query(event, 'cursor'), limit: limitOf(event) })),
  },
  {
    method: 'POST',
    path: /^\/admin\/dead-letters\/redrive$/,
    right: 'redrive',
    run: async () => {
      const result = await redriveDeadLetters(
        { queue: new SqsDeadLetterQueue(dlqUrls.ingest, ingestQueueUrl), failures, now: Date.now },
        { deadlineMs: Date.now() + redriveBudgetMs },
      );
      logger.info('dead letters redriven', result);
      return json(200, result);
    },
  },
  {
    method: 'GET',
    path: /^\/admin\/exports$/,
    right: 'read',
    run: async ({ event }) => json(200, await listExports(tableName, query(event, 'cursor'))),
  },
  {
    method: 'GET',
    path: /^\/admin\/exports\/([^/]+)$/,
    ids: ['dataExport'],
    right: 'read',
    run: async ({ params: [id = ''] }) => {
      const found = await getExport(tableName, id);
      if (!found) throw new NotFoundError(`no export ${id}`);
      return json(200, found);
    },
  },
];

async function authenticate(event: APIGatewayProxyEventV2): Promise<Role> {
  const match = /^Bearer\s+(\S+)$/i.exec(event.headers['authorization'] ?? '');
  if (!match?.[1]) throw new UnauthorizedError('send Authorization: Bearer <api key>');
  const key = await findApiKey(tableName, match[1]);
  if (!key) throw new UnauthorizedError('api key is not valid');
  return key.role;
}

async function serveAdmin(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const method = event.requestContext.http.method.toUpperCase();
  // API Gateway HTTP APIs hand over rawPath already percent-decoded once, so it
  // is used as it comes: decoding again would let %252F become a path separator.
  const path = event.rawPath.replace(/\/+$/, '');
  const matches = routes
    .map((route) => ({ route, found: route.path.exec(path) }))
    .filter((m): m is { route: Route; found: RegExpExecArray } => m.found !== null);
  // Authenticate before saying whether a route exists.
  const role = await authenticate(event);
  // No admin path holds a "%" once decoded: it is a bad escape or one too many.
  if (path.includes('%')) throw new ValidationError('the path holds a malformed or doubled percent-escape');
  if (matches.length === 0) throw new NotFoundError('no such route');
  const match = matches.find((m) => m.route.method === method);
  if (!match) {
    return json(405, { error: { code: 'method_not_allowed', message: `${method} is not allowed on this route` } });
  }
  if (!can(role, match.route.right)) throw new ForbiddenError(`role ${role} may not ${match.route.right}`);
  const params = match.found.slice(1);
  const kinds = match.route.ids ?? [];
  const named = params.every((param, i) => {
    const kind = kinds[i];
    return kind !== undefined && isId(kind, param);
  });
  if (!named) throw new NotFoundError('no such item');
  return match.route.run({ event, params });
}

export const handler = middy(serveAdmin).use(injectLambdaContext(logger)).use(httpErrors());
