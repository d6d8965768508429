// Complaints a customer made to the store: staff log them and resolve them;
// while one is open the customer gets no promotion.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { DynamoComplaintStore } from '../../adapters/complaint-store';
import { listComplaints, logComplaint, resolveComplaint } from '../../app/complaints';
import { idPrefixes } from '../../domain/ids';
import { json } from '../../shared/http';
import { parseBody, type RouteTable, type ServedRouteKey } from './router';

const newComplaintSchema = z.object({ note: z.string().trim().min(1).max(2000) }).strict();
const complaintPatchSchema = z.object({ status: z.literal('resolved') }).strict();

export function complaintRoutes({ tableName }: { tableName: string }) {
  const complaints = new DynamoComplaintStore(tableName);
  const now = () => new Date();
  const newId = () => `${idPrefixes.complaint}${randomBytes(8).toString('hex')}`;

  return {
    'POST /admin/customers/{customerId}/complaints': {
      right: 'log-complaints',
      ids: { customerId: 'customer' },
      run: async ({ event, params: { customerId } }) => {
        const { note } = parseBody(newComplaintSchema, event);
        return json(201, await logComplaint({ complaints, now, newId }, customerId, note));
      },
    },
    'GET /admin/customers/{customerId}/complaints': {
      right: 'read',
      ids: { customerId: 'customer' },
      run: async ({ params: { customerId } }) => json(200, { items: await listComplaints(complaints, customerId), nextCursor: null }),
    },
    'PATCH /admin/customers/{customerId}/complaints/{complaintId}': {
      right: 'log-complaints',
      ids: { customerId: 'customer', complaintId: 'complaint' },
      run: async ({ event, params: { customerId, complaintId } }) => {
        parseBody(complaintPatchSchema, event);
        return json(200, await resolveComplaint({ complaints, now }, customerId, complaintId));
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
