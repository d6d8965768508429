// The admin API's shape: every route declared in lib/resources.ts is served by
// exactly one resource module, and the shared router answers in huitou's
// order (401 before anything, then 400, 404, 405, 403, 404 for a foreign id).
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functions, type RouteDefinition } from '../../lib/resources';
import { campaignRunRoutes } from '../../functions/handlers/admin/campaign-runs';
import { campaignRoutes } from '../../functions/handlers/admin/campaigns';
import { channelRoutes } from '../../functions/handlers/admin/channels';
import { complaintRoutes } from '../../functions/handlers/admin/complaints';
import { customerRoutes } from '../../functions/handlers/admin/customers';
import { deadLetterRoutes } from '../../functions/handlers/admin/dead-letters';
import { exportRoutes } from '../../functions/handlers/admin/exports';
import { importRoutes } from '../../functions/handlers/admin/import';
import { keyRoutes } from '../../functions/handlers/admin/keys';
import { quarantineRoutes } from '../../functions/handlers/admin/quarantine';
import { scoringRoutes } from '../../functions/handlers/admin/scoring';
import { bearerKey, createRouter, type RouteTable } from '../../functions/handlers/admin/router';
import type { Role } from '../../functions/domain/access';
import { errorToResponse, json } from '../../functions/shared/http';
import { httpEvent } from '../support/events';

describe('Admin routes: declared and served', () => {
  const modules = {
    keys: keyRoutes({ tableName: 't' }),
    channels: channelRoutes({ tableName: 't', urlPolicy: { allowLoopback: false } }),
    customers: customerRoutes({ tableName: 't' }),
    quarantine: quarantineRoutes({ tableName: 't', ingestQueueUrl: 'https://sqs.example/q' }),
    deadLetters: deadLetterRoutes({ tableName: 't', queueUrl: 'https://sqs.example/q', dlqUrl: 'https://sqs.example/dlq', redriveBudgetMs: 1 }),
    exports: exportRoutes({ tableName: 't' }),
    scoring: scoringRoutes({ tableName: 't', rescoreQueueUrl: 'https://sqs.example/rescore' }),
    import: importRoutes({ tableName: 't', budgetMs: 1 }),
    complaints: complaintRoutes({ tableName: 't' }),
    campaigns: campaignRoutes({ tableName: 't' }),
    campaignRuns: campaignRunRoutes({ tableName: 't', campaignRunsQueueUrl: 'https://sqs.example/runs', budgetMs: 1 }),
  };
  const declared: readonly RouteDefinition[] = functions.admin.routes;
  const keysOf = (routes: readonly RouteDefinition[]) => routes.map((route) => `${route.method} ${route.path}`);

  it('serves each declared route from exactly one module, and nothing undeclared', () => {
    const served = Object.values(modules).flatMap((routes) => Object.keys(routes));

    expect(new Set(served).size).toBe(served.length);
    expect([...served].sort()).toEqual(keysOf(declared.filter((route) => !route.path.endsWith('+}'))).sort());
  });

  it('declares one catch-all after the routes, so unknown paths and methods reach the function', () => {
    expect(keysOf(declared.filter((route) => route.path.endsWith('+}')))).toEqual(['ANY /admin/{proxy+}']);
    expect(keysOf(declared).at(-1)).toBe('ANY /admin/{proxy+}');
  });
});

describe('Admin router', () => {
  type Key = 'GET /admin/things' | 'GET /admin/things/new' | 'GET /admin/things/{thingId}' | 'DELETE /admin/things/{thingId}';
  const roles: Record<string, Role> = { 'owner-key': 'owner', 'read-key': 'readonly' };
  const ran: string[] = [];
  const answer = (key: Key) => async ({ params }: { params: object }) => {
    ran.push(key);
    return json(200, { key, params });
  };
  const routes: RouteTable<Key> = {
    'GET /admin/things': { right: 'read', run: answer('GET /admin/things') },
    'GET /admin/things/new': { right: 'read', run: answer('GET /admin/things/new') },
    'GET /admin/things/{thingId}': { right: 'read', ids: { thingId: 'channel' }, run: answer('GET /admin/things/{thingId}') },
    'DELETE /admin/things/{thingId}': { right: 'manage', ids: { thingId: 'channel' }, run: answer('DELETE /admin/things/{thingId}') },
  };
  const serve = createRouter({ routes, authenticate: bearerKey(async (key) => roles[key]) });

  async function call(method: string, path: string, key?: string, scheme = 'Bearer') {
    ran.length = 0;
    const event: APIGatewayProxyEventV2 = httpEvent({ method, path, headers: key ? { authorization: `${scheme} ${key}` } : {} });
    const result = await serve(event).catch(errorToResponse);
    return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') as Record<string, any> };
  }

  it('answers 401 to an unknown path, a wrong method and a real route alike without a valid key', async () => {
    const answers = [
      await call('GET', '/admin/nothing'),
      await call('PUT', '/admin/things'),
      await call('GET', '/admin/things/%'),
      await call('GET', '/admin/things', 'wrong-key'),
      await call('GET', '/admin/things', 'owner-key', 'Basic'),
    ];

    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(answers[0]?.body).toMatchObject({ error: { code: 'unauthorized' } });
    expect(ran).toEqual([]);
  });

  it('answers 404 to an unknown path and 405 to a method the path lacks', async () => {
    const unknown = await call('GET', '/admin/nothing', 'owner-key');
    const wrongMethod = await call('POST', '/admin/things/ch_0a', 'owner-key');

    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: { code: 'method_not_allowed' } } });
    expect(ran).toEqual([]);
  });

  it('answers 403 to a role without the right and 404 to an id of another kind, before the route runs', async () => {
    const forbidden = await call('DELETE', '/admin/things/ch_0a', 'read-key');
    const foreign = await call('GET', '/admin/things/cus_0a', 'owner-key');

    expect([forbidden.status, foreign.status]).toEqual([403, 404]);
    expect(ran).toEqual([]);
  });

  it('answers 400 to a path that still holds a percent sign, which it never decodes again', async () => {
    const result = await call('GET', '/admin/things/ch_0a%2F', 'owner-key');

    expect(result).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(ran).toEqual([]);
  });

  it('runs the matching route with its parameters, a literal segment over a parameter', async () => {
    const one = await call('GET', '/admin/things/ch_0a', 'read-key');
    const literal = await call('GET', '/admin/things/new', 'read-key');
    const list = await call('GET', '/admin/things/', 'read-key');

    expect(one.body).toEqual({ key: 'GET /admin/things/{thingId}', params: { thingId: 'ch_0a' } });
    expect(literal.body).toEqual({ key: 'GET /admin/things/new', params: {} });
    expect(list.body).toEqual({ key: 'GET /admin/things', params: {} });
  });
});
