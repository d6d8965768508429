// Which route the local gateway picks for a request, as an API Gateway HTTP API
// does (developer guide, "Routing API requests"): a full match of route and
// method, then a greedy path variable, the most specific route first.
import { describe, expect, it } from 'vitest';
import { compileRoutes, matchRoute } from '../../bin/local/http-gateway';
import { functions, type ApiRoute, type RouteDefinition } from '../../lib/resources';

const table = (...keys: string[]) =>
  compileRoutes(
    keys.map((key) => {
      const [method, path] = key.split(' ') as [ApiRoute['method'], string];
      return { method, path, function: 'admin' };
    }),
  );

describe('Local gateway: route selection', () => {
  // The example of the API Gateway developer guide, without its $default route.
  const guide = table('GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}');

  it.each([
    ['GET', '/pets/dog/1', 'GET /pets/dog/1'],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}'],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}'],
    ['POST', '/pets/dog/1', 'ANY /{proxy+}'],
    ['GET', '/pets', 'ANY /{proxy+}'],
  ])('sends %s %s to %s', (method, path, routeKey) => {
    expect(matchRoute(method, path, guide)?.routeKey).toBe(routeKey);
  });

  it('prefers a route of the method to an ANY route of the same path', () => {
    const both = table('ANY /items/{id}', 'GET /items/{id}');

    expect(matchRoute('GET', '/items/1', both)?.routeKey).toBe('GET /items/{id}');
    expect(matchRoute('DELETE', '/items/1', both)?.routeKey).toBe('ANY /items/{id}');
  });

  it('sends a path shorter than a greedy route asks for to no route', () => {
    expect(matchRoute('GET', '/pets', table('GET /pets/{proxy+}'))).toBeUndefined();
  });
});

describe('Local gateway: huitou admin routes', () => {
  const adminRoutes: readonly RouteDefinition[] = functions.admin.routes;
  const declared = adminRoutes.filter((route) => !route.path.endsWith('+}'));

  it.each(declared.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'sends a request for %s to that route, with its parameters',
    (routeKey, route) => {
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => `${name}-1`);

      const match = matchRoute(route.method, path);

      expect(match?.routeKey).toBe(routeKey);
      expect(match?.route.function).toBe('admin');
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name ?? '');
      expect(match?.pathParameters).toEqual(names.length ? Object.fromEntries(names.map((n) => [n, `${n}-1`])) : undefined);
    },
  );

  it('prefers a declared admin route to the catch-all, decoding its parameter once more', () => {
    expect(matchRoute('GET', '/admin/channels/ch%201')).toMatchObject({
      routeKey: 'GET /admin/channels/{channelId}',
      pathParameters: { channelId: 'ch 1' },
    });
    expect(matchRoute('POST', '/admin/dead-letters/redrive')?.routeKey).toBe('POST /admin/dead-letters/redrive');
  });

  it('sends a method a declared path lacks to the admin catch-all, so the function answers 405', () => {
    expect(matchRoute('DELETE', '/admin/channels/ch_1')).toMatchObject({
      routeKey: 'ANY /admin/{proxy+}',
      route: { function: 'admin' },
      pathParameters: { proxy: 'channels/ch_1' },
    });
    expect(matchRoute('GET', '/admin/dead-letters/redrive')?.routeKey).toBe('ANY /admin/{proxy+}');
  });

  it('sends an undeclared admin path to the catch-all, so the function answers 401 or 404', () => {
    expect(matchRoute('GET', '/admin/nothing')?.routeKey).toBe('ANY /admin/{proxy+}');
    expect(matchRoute('GET', '/admin/customers/cus_1/orders')?.routeKey).toBe('ANY /admin/{proxy+}');
    expect(matchRoute('GET', '/admin')).toBeUndefined();
  });
});
