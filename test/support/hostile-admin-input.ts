// Arbitrary admin requests a hostile or careless client may send: paths with
// odd and over-long segments and escapes, cursors of every shape, bad limits.
import fc from 'fast-check';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64url');

const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 80 });

const segment = fc.oneof(
  fc.constantFrom('customers', 'channels', 'quarantine', 'exports', 'keys', 'campaigns', 'complaints', 'unsubscribe', 'replay', '', '.', '..', '%', '%25', '%zz', '%2F', '%252F', '%E0%A4%A', '%00'),
  fc.constantFrom('cus_', 'ch_', 'q_', 'exp_', 'key_', 'cmp_', 'cpl_').chain((prefix) => hex.map((digits) => `${prefix}${digits}`)),
  fc.string({ maxLength: 40 }).map((text) => encodeURIComponent(text)),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((text) => encodeURIComponent(text)),
  fc.integer({ min: 1025, max: 5000 }).map((length) => 'a'.repeat(length)),
);

const resource = fc.constantFrom('customers', 'channels', 'quarantine', 'exports', 'keys', 'campaigns');

/** A path under /admin, as a client would put it on the wire (percent-encoded). */
export const adminPath = fc
  .tuple(fc.oneof({ arbitrary: resource, weight: 4 }, { arbitrary: segment, weight: 1 }), fc.array(segment, { maxLength: 3 }))
  .map(([first, rest]) => `/admin/${[first, ...rest].join('/')}`);

const keyValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constant(''),
  fc.integer(),
  fc.constant(null),
  fc.integer({ min: 1025, max: 3000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom('CUSTOMERS', 'QUARANTINE', 'EXPORTS', 'CHANNELS', 'APIKEYS', 'CAMPAIGNS'),
);

/** Cursors: garbage, JSON of any shape, and key-shaped objects of this list and of others. */
export const cursor = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.json().map((json) => Buffer.from(json, 'utf8').toString('base64url')),
  fc.anything().map(encode),
  fc.record({ pk: keyValue, sk: keyValue, listPk: keyValue, listSk: keyValue }, { requiredKeys: [] }).map(encode),
  fc
    .record({ pk: keyValue, sk: keyValue, listPk: keyValue, listSk: keyValue, extra: keyValue })
    .map(encode),
  fc.record({ pk: keyValue, sk: keyValue, customerId: keyValue, placedAtUtc: keyValue }).map(encode),
  // The customer list's (sharded) cursor: the last sort key handed out and the order.
  fc
    .record({
      after: fc.oneof(keyValue, fc.tuple(fc.date({ noInvalidDate: true }), hex).map(([date, digits]) => `${date.toISOString()}#cus_${digits}`)),
      order: fc.oneof(fc.constantFrom('newest', 'oldest'), keyValue),
    }, { requiredKeys: [] })
    .map(encode),
);

export const limit = fc.oneof(fc.string({ maxLength: 6 }), fc.integer().map(String), fc.constant('1e3'));

/** A path and query for the list routes, where cursors and limits are read. */
export const listRequest = fc
  .tuple(fc.constantFrom('/admin/customers', '/admin/quarantine', '/admin/exports', '/admin/channels', '/admin/dead-letters', '/admin/campaigns'), cursor, fc.option(limit, { nil: undefined }))
  .map(([path, cursorValue, limitValue]) => {
    const query: Record<string, string> = { cursor: cursorValue };
    if (limitValue !== undefined) query['limit'] = limitValue;
    return { path, query };
  });
