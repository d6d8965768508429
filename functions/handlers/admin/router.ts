// The shared router of the admin API: authentication, the right each route
// needs, the kind of id each path parameter must be, and the request helpers.
// Routes are keyed by their declaration in lib/resources.ts (`METHOD /path`),
// so a route served without a declaration fails the compiler; a function with
// a route of its own (campaigns, later) composes its modules with this router.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { FunctionName, functions } from '../../../lib/resources';
import { can, type Right, type Role } from '../../domain/access';
import { isId, type IdKind } from '../../domain/ids';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../../shared/errors';
import { json, rawBody, type HttpResult } from '../../shared/http';

type Declared<F extends FunctionName> = (typeof functions)[F]['routes'][number];
type KeyOf<R> = R extends { readonly method: infer M extends string; readonly path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** `METHOD /path` of each route a function declares in lib/resources.ts. */
export type DeclaredRouteKey<F extends FunctionName> = KeyOf<Declared<F>>;

/** The declared routes a function serves: all but its greedy catch-all, which only brings it the other paths. */
export type ServedRouteKey<F extends FunctionName> = Exclude<DeclaredRouteKey<F>, `${string}+}`>;

/** Names of a route's path parameters: `GET /admin/channels/{channelId}` has `channelId`. */
export type PathParams<K extends string> = K extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParams<Rest>
  : never;

export interface RouteRequest<K extends string> {
  event: APIGatewayProxyEventV2;
  /** Path parameters as they stand in rawPath: never decoded again. */
  params: Readonly<Record<PathParams<K>, string>>;
}

export type Route<K extends string> = {
  right: Right;
  run(request: RouteRequest<K>): Promise<HttpResult>;
} & ([PathParams<K>] extends [never]
  ? { ids?: never }
  : {
      /** The kind of id each parameter must be; a path naming anything else names nothing (404, before any read). */
      ids: Readonly<Record<PathParams<K>, IdKind>>;
    });

export type RouteTable<K extends string> = { readonly [Key in K]: Route<Key> };

interface CompiledRoute {
  readonly method: string;
  readonly segments: readonly string[];
  readonly literals: number;
  readonly route: Route<string>;
}

const isParam = (segment: string): boolean => segment.startsWith('{') && segment.endsWith('}');

function compile(key: string, route: Route<string>): CompiledRoute {
  const at = key.indexOf(' ');
  const segments = key.slice(at + 1).split('/').slice(1);
  return { method: key.slice(0, at), segments, literals: segments.filter((s) => !isParam(s)).length, route };
}

function paramsOf(segments: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] ?? '';
    if (isParam(segment)) {
      if (part === '') return undefined;
      params[segment.slice(1, -1)] = part;
    } else if (segment !== part) {
      return undefined;
    }
  }
  return params;
}

/**
 * Serves a route table. Every request is authenticated before anything else
 * is said, so without a valid key an unknown path, a wrong method and a real
 * route all get the same 401. Then: 400 for a path that still holds a "%",
 * 404 for a path no route has, 405 for a method the path lacks, 403 without
 * the route's right, 404 for an id not of its kind.
 */
export function createRouter<K extends string>(input: {
  routes: RouteTable<K>;
  authenticate: (event: APIGatewayProxyEventV2) => Promise<Role>;
}): (event: APIGatewayProxyEventV2) => Promise<HttpResult> {
  const compiled = (Object.entries(input.routes) as [string, Route<string>][]).map(([key, route]) => compile(key, route));

  return async function serveRoute(event) {
    const role = await input.authenticate(event);
    // API Gateway HTTP APIs hand over rawPath already percent-decoded once, so it
    // is used as it comes: decoding again would let %252F become a path separator.
    const path = event.rawPath.replace(/\/+$/, '');
    // No admin path holds a "%" once decoded: it is a bad escape or one too many.
    if (path.includes('%')) throw new ValidationError('the path holds a malformed or doubled percent-escape');
    const parts = path.split('/').slice(1);
    const matches = compiled.flatMap((c) => {
      const params = paramsOf(c.segments, parts);
      return params ? [{ ...c, params }] : [];
    });
    if (matches.length === 0) throw new NotFoundError('no such route');
    const method = event.requestContext.http.method.toUpperCase();
    // As the gateway picks: the route with more literal segments wins over one with a parameter there.
    const match = matches.filter((m) => m.method === method).sort((a, b) => b.literals - a.literals)[0];
    if (!match) {
      return json(405, { error: { code: 'method_not_allowed', message: `${method} is not allowed on this route` } });
    }
    const { route, params } = match;
    if (!can(role, route.right)) throw new ForbiddenError(`role ${role} may not ${route.right}`);
    const ids: Readonly<Record<string, IdKind>> = route.ids ?? {};
    const named = Object.entries(params).every(([name, value]) => {
      const kind = ids[name];
      return kind !== undefined && isId(kind, value);
    });
    if (!named) throw new NotFoundError('no such item');
    return route.run({ event, params });
  };
}

/** Authorization: Bearer <api key>, looked up by `findRole`; 401 without one that is valid. */
export function bearerKey(
  findRole: (key: string) => Promise<Role | undefined>,
): (event: APIGatewayProxyEventV2) => Promise<Role> {
  return async function authenticate(event) {
    const match = /^Bearer\s+(\S+)$/i.exec(event.headers['authorization'] ?? '');
    if (!match?.[1]) throw new UnauthorizedError('send Authorization: Bearer <api key>');
    const role = await findRole(match[1]);
    if (!role) throw new UnauthorizedError('api key is not valid');
    return role;
  };
}

export function parseBody<T extends z.ZodType>(schema: T, event: APIGatewayProxyEventV2): z.infer<T> {
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

/** A query parameter; an empty one counts as absent. */
export function query(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const value = event.queryStringParameters?.[name];
  return value === undefined || value === '' ? undefined : value;
}

/** `limit` of a list route: 1 to 200, 50 when absent. */
export function limitOf(event: APIGatewayProxyEventV2): number {
  const raw = query(event, 'limit');
  if (raw === undefined) return 50;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new ValidationError('limit must be 1 to 200');
  return limit;
}
