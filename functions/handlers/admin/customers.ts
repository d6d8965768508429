// Customers: search, one customer with their orders and discount codes, and
// an unsubscribe staff record for a customer who asked them.
import { recordUnsubscribe } from '../../adapters/consent-store';
import { ordersOfCustomer, searchCustomers } from '../../adapters/customer-queries';
import { DynamoCustomerRepository } from '../../adapters/customer-store';
import { scoresOf, transitionsOf } from '../../adapters/score-store';
import { customerView } from '../../domain/customers';
import { orderView } from '../../domain/orders';
import { NotFoundError } from '../../shared/errors';
import { json } from '../../shared/http';
import { limitOf, query, type RouteTable, type ServedRouteKey } from './router';

/** Orders shown with one customer, newest first. */
const ordersShown = 100;

export function customerRoutes({ tableName }: { tableName: string }) {
  const customers = new DynamoCustomerRepository(tableName);
  return {
    'GET /admin/customers': {
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
        return json(200, {
          items: page.items.map(({ profile, score }) => customerView(profile, undefined, score)),
          nextCursor: page.nextCursor,
        });
      },
    },
    'GET /admin/customers/{customerId}': {
      right: 'read',
      ids: { customerId: 'customer' },
      run: async ({ params: { customerId } }) => {
        const profile = await customers.getProfile(customerId);
        if (!profile) throw new NotFoundError(`no customer ${customerId}`);
        const [orders, codes, scores, history] = await Promise.all([
          ordersOfCustomer(tableName, customerId, ordersShown),
          customers.listDiscountCodes(customerId),
          scoresOf(tableName, [customerId]),
          transitionsOf(tableName, customerId),
        ]);
        const discountCodes = codes.map(({ code }) => code);
        return json(200, {
          ...customerView(profile, discountCodes, scores.get(customerId)),
          orders: orders.map(orderView),
          history,
        });
      },
    },
    'POST /admin/customers/{customerId}/unsubscribe': {
      // Staff record it as they record a complaint: on the customer's word.
      right: 'log-complaints',
      ids: { customerId: 'customer' },
      run: async ({ params: { customerId } }) => {
        const profile = await recordUnsubscribe(tableName, customerId, 'staff', new Date().toISOString());
        if (!profile) throw new NotFoundError(`no customer ${customerId}`);
        return json(200, customerView(profile));
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
