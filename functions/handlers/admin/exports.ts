// Data exports made for customers/data_request, for staff to hand over.
import { getExport, listExports } from '../../adapters/privacy-store';
import { NotFoundError } from '../../shared/errors';
import { json } from '../../shared/http';
import { query, type RouteTable, type ServedRouteKey } from './router';

export function exportRoutes({ tableName }: { tableName: string }) {
  return {
    'GET /admin/exports': {
      right: 'read',
      run: async ({ event }) => json(200, await listExports(tableName, query(event, 'cursor'))),
    },
    'GET /admin/exports/{exportId}': {
      right: 'read',
      ids: { exportId: 'dataExport' },
      run: async ({ params: { exportId } }) => {
        const found = await getExport(tableName, exportId);
        if (!found) throw new NotFoundError(`no export ${exportId}`);
        return json(200, found);
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
