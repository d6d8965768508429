// API keys: created with a role and shown once, revoked by id.
import * as z from 'zod';
import { createApiKey, revokeApiKey } from '../../adapters/api-keys';
import { roles } from '../../domain/access';
import { NotFoundError } from '../../shared/errors';
import { json } from '../../shared/http';
import { logger } from '../../shared/observability';
import { parseBody, type RouteTable, type ServedRouteKey } from './router';

export function keyRoutes({ tableName }: { tableName: string }) {
  return {
    'POST /admin/keys': {
      right: 'manage',
      run: async ({ event }) => {
        const { role } = parseBody(z.object({ role: z.enum(roles) }).strict(), event);
        const created = await createApiKey(tableName, role);
        logger.info('api key created', { keyId: created.id, role });
        return json(201, created);
      },
    },
    'DELETE /admin/keys/{keyId}': {
      right: 'manage',
      ids: { keyId: 'apiKey' },
      run: async ({ params: { keyId } }) => {
        if (!(await revokeApiKey(tableName, keyId))) throw new NotFoundError(`no key ${keyId}`);
        return { statusCode: 204 };
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
