// What the admin API answers, typed from the code that builds the answers, so
// tests and handlers cannot disagree about a field.
import type { QuarantineEntry } from '../../functions/domain/quarantine';
import type { customerView } from '../../functions/domain/customers';
import type { orderView } from '../../functions/domain/orders';

export type CustomerView = ReturnType<typeof customerView>;
export type OrderView = ReturnType<typeof orderView>;
export type CustomerDetail = CustomerView & { orders: OrderView[]; history: unknown[] };
export type QuarantineView = QuarantineEntry;
