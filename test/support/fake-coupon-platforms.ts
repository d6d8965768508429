// A local stand-in for the three coupon APIs, strict where the platforms are:
// it checks the method, path, headers, credentials and the body's shape as
// documented (Shopify Admin GraphQL 2025-01 discountCodeBasicCreate and
// codeDiscountNodeByCode, WooCommerce REST v3 coupons, BigCommerce v3
// promotions and codes), answers as they do (including a code in use, 401,
// 429 and 500), and keeps every request so a test can compare it exactly.
// A request whose shape is wrong gets the platform's validation answer and is
// listed in `problems`.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const fakeCredentials = {
  shopify: { shopDomain: 'huitou-test.myshopify.com', accessToken: 'shpat_fake_token' },
  woocommerce: { consumerKey: 'ck_fake_key', consumerSecret: 'cs_fake_secret' },
  bigcommerce: { storeHash: 'abc123', accessToken: 'bc_fake_token' },
} as const;

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

interface Injected {
  status: number;
  times: number;
  path: RegExp;
}

type Json = Record<string, any>;
type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const decimal = /^\d+(\.\d+)?$/;
const isIso = (value: unknown) => typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value));

/** Names of keys in `object` outside `allowed`, and of `required` keys it lacks. */
function keyProblems(where: string, object: unknown, allowed: readonly string[], required: readonly string[] = []): string[] {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return [`${where} is not an object`];
  const problems = Object.keys(object)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}.${key} is not a documented field`);
  return [...problems, ...required.filter((key) => !(key in object)).map((key) => `${where}.${key} is required`)];
}

function check(problems: string[], ok: boolean, problem: string): void {
  if (!ok) problems.push(problem);
}

// Shopify: DiscountCodeBasicInput as of 2025-01.
function shopifyInputProblems(input: Json): string[] {
  const problems = keyProblems(
    'basicCodeDiscount',
    input,
    ['title', 'code', 'startsAt', 'endsAt', 'usageLimit', 'appliesOncePerCustomer', 'customerSelection', 'customerGets', 'minimumRequirement', 'combinesWith', 'recurringCycleLimit'],
    ['title', 'code', 'startsAt', 'customerSelection', 'customerGets'],
  );
  if (problems.length > 0) return problems;
  check(problems, typeof input['title'] === 'string' && typeof input['code'] === 'string', 'title and code are strings');
  check(problems, isIso(input['startsAt']) && (input['endsAt'] === undefined || isIso(input['endsAt'])), 'startsAt and endsAt are DateTime');
  check(problems, input['usageLimit'] === undefined || Number.isInteger(input['usageLimit']), 'usageLimit is an Int');
  check(problems, input['appliesOncePerCustomer'] === undefined || typeof input['appliesOncePerCustomer'] === 'boolean', 'appliesOncePerCustomer is a Boolean');
  const selection = input['customerSelection'] as Json;
  const gids = selection?.['customers']?.['add'];
  check(
    problems,
    JSON.stringify(selection) === '{"all":true}' ||
      (Object.keys(selection ?? {}).join() === 'customers' && Array.isArray(gids) && gids.every((gid: unknown) => typeof gid === 'string' && /^gid:\/\/shopify\/Customer\/\d+$/.test(gid))),
    'customerSelection is {all: true} or {customers: {add: [Customer gid]}}',
  );
  const gets = input['customerGets'] as Json;
  problems.push(...keyProblems('customerGets', gets, ['value', 'items'], ['value', 'items']));
  check(problems, JSON.stringify(gets?.['items']) === '{"all":true}', 'customerGets.items is {all: true}');
  const value = gets?.['value'] as Json | undefined;
  const percentage = value?.['percentage'];
  const amount = value?.['discountAmount'] as Json | undefined;
  if (percentage !== undefined) {
    check(problems, Object.keys(value ?? {}).length === 1 && typeof percentage === 'number' && percentage > 0 && percentage <= 1, 'customerGets.value.percentage is a Float in (0, 1]');
  } else {
    problems.push(...keyProblems('customerGets.value', value, ['discountAmount'], ['discountAmount']));
    problems.push(...keyProblems('customerGets.value.discountAmount', amount, ['amount', 'appliesOnEachItem'], ['amount', 'appliesOnEachItem']));
    check(problems, typeof amount?.['amount'] === 'string' && decimal.test(amount['amount']), 'discountAmount.amount is a Decimal string');
  }
  const minimum = input['minimumRequirement'] as Json | undefined;
  if (minimum !== undefined) {
    problems.push(...keyProblems('minimumRequirement', minimum, ['subtotal', 'quantity']));
    const subtotal = minimum['subtotal']?.['greaterThanOrEqualToSubtotal'];
    check(problems, typeof subtotal === 'string' && decimal.test(subtotal), 'minimumRequirement.subtotal.greaterThanOrEqualToSubtotal is a Decimal string');
  }
  return problems;
}

const wooCouponFields = [
  'code', 'amount', 'discount_type', 'description', 'date_expires', 'date_expires_gmt', 'individual_use', 'product_ids',
  'excluded_product_ids', 'usage_limit', 'usage_limit_per_user', 'limit_usage_to_x_items', 'free_shipping',
  'product_categories', 'excluded_product_categories', 'exclude_sale_items', 'minimum_amount', 'maximum_amount',
  'email_restrictions', 'meta_data',
];

function wooProblems(body: Json): string[] {
  const problems = keyProblems('coupon', body, wooCouponFields, ['code']);
  if (problems.length > 0) return problems;
  check(problems, ['percent', 'fixed_cart', 'fixed_product'].includes(body['discount_type']), 'discount_type is percent, fixed_cart or fixed_product');
  check(problems, typeof body['amount'] === 'string' && decimal.test(body['amount']), 'amount is a numeric string');
  for (const key of ['usage_limit', 'usage_limit_per_user']) check(problems, body[key] === undefined || Number.isInteger(body[key]), `${key} is an integer`);
  check(problems, body['individual_use'] === undefined || typeof body['individual_use'] === 'boolean', 'individual_use is a boolean');
  const emails = body['email_restrictions'];
  check(problems, emails === undefined || (Array.isArray(emails) && emails.every((e: unknown) => typeof e === 'string' && e.includes('@'))), 'email_restrictions is an array of emails');
  check(problems, body['date_expires'] === undefined || isIso(body['date_expires']), 'date_expires is a date-time');
  check(problems, body['minimum_amount'] === undefined || (typeof body['minimum_amount'] === 'string' && decimal.test(body['minimum_amount'])), 'minimum_amount is a numeric string');
  return problems;
}

function bigCommercePromotionProblems(body: Json): string[] {
  const problems = keyProblems(
    'promotion',
    body,
    ['name', 'display_name', 'redemption_type', 'coupon_type', 'channels', 'customer', 'rules', 'max_uses', 'status', 'start_date', 'end_date', 'stop', 'can_be_used_with_other_promotions', 'coupon_overrides_automatic_when_offering_higher_discounts', 'currency_code', 'notifications', 'shipping_address', 'schedule'],
    ['redemption_type', 'name', 'rules'],
  );
  if (problems.length > 0) return problems;
  check(problems, body['redemption_type'] === 'COUPON', 'redemption_type is COUPON for a coupon promotion');
  check(problems, Array.isArray(body['rules']) && body['rules'].length > 0, 'rules is a non-empty array');
  for (const [i, rule] of (body['rules'] as Json[]).entries()) {
    problems.push(...keyProblems(`rules[${i}]`, rule, ['action', 'apply_once', 'stop', 'condition'], ['action']));
    const discount = rule['action']?.['cart_value']?.['discount'] as Json | undefined;
    const money = discount?.['percentage_amount'] ?? discount?.['fixed_amount'];
    check(problems, Object.keys(discount ?? {}).length === 1 && typeof money === 'string' && decimal.test(money), `rules[${i}].action.cart_value.discount is one of percentage_amount or fixed_amount, as a string`);
    const spend = rule['condition']?.['cart']?.['minimum_spend'];
    check(problems, rule['condition'] === undefined || (typeof spend === 'string' && decimal.test(spend)), `rules[${i}].condition.cart.minimum_spend is Money`);
  }
  check(problems, body['max_uses'] === undefined || Number.isInteger(body['max_uses']), 'max_uses is an integer');
  check(problems, body['status'] === undefined || ['ENABLED', 'DISABLED'].includes(body['status']), 'status is ENABLED or DISABLED');
  check(problems, (body['start_date'] === undefined || isIso(body['start_date'])) && (body['end_date'] === undefined || isIso(body['end_date'])), 'start_date and end_date are date-times');
  check(problems, body['currency_code'] === undefined || /^([A-Z]{3}|\*)$/.test(body['currency_code']), 'currency_code is an ISO 4217 code or *');
  return problems;
}

function bigCommerceCodeProblems(body: Json): string[] {
  const problems = keyProblems('code', body, ['code', 'max_uses', 'max_uses_per_customer'], ['code']);
  if (problems.length > 0) return problems;
  check(problems, typeof body['code'] === 'string' && /^[a-zA-Z0-9_ -]{1,50}$/.test(body['code']), 'code is 1 to 50 letters, digits, spaces, _ or -');
  for (const key of ['max_uses', 'max_uses_per_customer']) check(problems, body[key] === undefined || Number.isInteger(body[key]), `${key} is an integer`);
  return problems;
}

export class FakeCouponPlatforms {
  readonly seen: SeenRequest[] = [];
  readonly problems: string[] = [];
  readonly shopifyDiscounts = new Map<string, { id: string; input: Json }>();
  /** Keyed by the lower-cased code, as WooCommerce keeps it. */
  readonly wooCoupons = new Map<string, Json>();
  readonly bigCommercePromotions = new Map<number, Json>();
  readonly bigCommerceCodes = new Map<string, { id: number; promotionId: number; code: string }>();
  private injected: Injected[] = [];
  private nextId = 1000;
  private server!: Server;
  baseUrl = '';

  static async start(): Promise<FakeCouponPlatforms> {
    const fake = new FakeCouponPlatforms();
    fake.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://fake');
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = text;
        }
        const seen: SeenRequest = { method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers, body };
        fake.seen.push(seen);
        const answer = fake.answer(seen);
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The next `times` requests whose path matches get `status` (429 with Retry-After, 5xx with an error body). */
  failNext(status: number, times = 1, path = /./): void {
    this.injected.push({ status, times, path });
  }

  reset(): void {
    this.seen.length = 0;
    this.problems.length = 0;
    this.injected = [];
    this.shopifyDiscounts.clear();
    this.wooCoupons.clear();
    this.bigCommercePromotions.clear();
    this.bigCommerceCodes.clear();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: SeenRequest): Answer {
    const injected = this.injected.find((i) => i.times > 0 && i.path.test(request.path));
    if (injected) {
      injected.times -= 1;
      return injected.status === 429
        ? { status: 429, body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, headers: { 'retry-after': '2.0' } }
        : { status: injected.status, body: { errors: 'Internal Server Error' } };
    }
    if (request.path.startsWith('/admin/api/')) return this.shopify(request);
    if (request.path.startsWith('/wp-json/')) return this.woo(request);
    if (request.path.startsWith('/stores/')) return this.bigCommerce(request);
    return { status: 404, body: { errors: 'Not Found' } };
  }

  private refuse(problems: string[], answer: Answer): Answer {
    this.problems.push(...problems);
    return answer;
  }

  private jsonContent(request: SeenRequest): boolean {
    return String(request.headers['content-type'] ?? '').startsWith('application/json');
  }

  private shopify(request: SeenRequest): Answer {
    if (request.method !== 'POST' || request.path !== '/admin/api/2025-01/graphql.json') {
      return this.refuse([`Shopify: ${request.method} ${request.path} is not the 2025-01 GraphQL endpoint`], { status: 404, body: { errors: 'Not Found' } });
    }
    if (request.headers['x-shopify-access-token'] !== fakeCredentials.shopify.accessToken) {
      return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
    }
    const body = request.body as Json;
    if (!this.jsonContent(request) || typeof body?.['query'] !== 'string' || typeof body['variables'] !== 'object') {
      return this.refuse(['Shopify: body is not {query, variables} JSON'], { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } });
    }
    const { query, variables } = body as { query: string; variables: Json };
    if (/discountCodeBasicCreate\(basicCodeDiscount: \$basicCodeDiscount\)/.test(query)) {
      const input = variables['basicCodeDiscount'] as Json;
      const problems = shopifyInputProblems(input);
      if (problems.length > 0) {
        return this.refuse(problems.map((p) => `Shopify: ${p}`), {
          status: 200,
          body: { errors: problems.map((message) => ({ message, extensions: { code: 'INVALID_VARIABLE' } })) },
        });
      }
      const code = String(input['code']);
      if (this.shopifyDiscounts.has(code.toLowerCase())) {
        return {
          status: 200,
          body: {
            data: {
              discountCodeBasicCreate: {
                codeDiscountNode: null,
                userErrors: [{ field: ['basicCodeDiscount', 'code'], message: 'Code must be unique. Please try a different code.', code: 'TAKEN' }],
              },
            },
          },
        };
      }
      const id = `gid://shopify/DiscountCodeNode/${(this.nextId += 1)}`;
      this.shopifyDiscounts.set(code.toLowerCase(), { id, input });
      return { status: 200, body: { data: { discountCodeBasicCreate: { codeDiscountNode: { id }, userErrors: [] } } } };
    }
    if (/codeDiscountNodeByCode\(code: \$code\)/.test(query) && typeof variables['code'] === 'string') {
      const found = this.shopifyDiscounts.get(variables['code'].toLowerCase());
      return { status: 200, body: { data: { codeDiscountNodeByCode: found ? { id: found.id } : null } } };
    }
    return this.refuse([`Shopify: unexpected query ${query.slice(0, 80)}`], { status: 200, body: { errors: [{ message: 'unexpected query' }] } });
  }

  private woo(request: SeenRequest): Answer {
    const { consumerKey, consumerSecret } = fakeCredentials.woocommerce;
    const expected = `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`;
    if (request.path !== '/wp-json/wc/v3/coupons') {
      return this.refuse([`WooCommerce: ${request.path} is not the v3 coupons endpoint`], { status: 404, body: { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } } });
    }
    if (request.headers['authorization'] !== expected) {
      const code = request.method === 'GET' ? 'woocommerce_rest_cannot_view' : 'woocommerce_rest_cannot_create';
      return { status: 401, body: { code, message: 'Sorry, you cannot list resources.', data: { status: 401 } } };
    }
    if (request.method === 'GET') {
      const found = this.wooCoupons.get(String(request.query['code'] ?? '').toLowerCase());
      return { status: 200, body: found ? [found] : [] };
    }
    const body = request.body as Json;
    const problems = this.jsonContent(request) ? wooProblems(body) : ['content-type is not application/json'];
    if (request.method !== 'POST' || problems.length > 0) {
      return this.refuse(problems.map((p) => `WooCommerce: ${p}`), { status: 400, body: { code: 'rest_invalid_param', message: 'Invalid parameter(s)', data: { status: 400, params: problems } } });
    }
    const code = String(body['code']).toLowerCase();
    if (this.wooCoupons.has(code)) {
      return { status: 400, body: { code: 'woocommerce_rest_coupon_code_already_exists', message: 'The coupon code already exists', data: { status: 400 } } };
    }
    const coupon = { id: (this.nextId += 1), ...body, code, amount: Number(body['amount']).toFixed(2), usage_count: 0 };
    this.wooCoupons.set(code, coupon);
    return { status: 201, body: coupon };
  }

  private bigCommerce(request: SeenRequest): Answer {
    const { storeHash, accessToken } = fakeCredentials.bigcommerce;
    const prefix = `/stores/${storeHash}/v3`;
    if (!request.path.startsWith(`${prefix}/`) || request.headers['x-auth-token'] !== accessToken) {
      return { status: 401, body: { status: 401, title: 'No valid credentials were found in this request', type: 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes' } };
    }
    const path = request.path.slice(prefix.length);
    const body = request.body as Json;
    const unprocessable = (problems: string[]): Answer =>
      this.refuse(problems.map((p) => `BigCommerce: ${p}`), { status: 422, body: { status: 422, title: problems.join('; '), type: 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes' } });
    const page = (data: unknown[]) => ({ status: 200, body: { data, meta: { pagination: { total: data.length, count: data.length, per_page: 50, current_page: 1, total_pages: 1, links: { current: '?page=1&limit=50' } } } } });

    if (request.method === 'GET' && path === '/promotions') {
      // `name` matches loosely, as a search does.
      const name = request.query['name'] ?? '';
      return page([...this.bigCommercePromotions.values()].filter((p) => String(p['name']).includes(name)));
    }
    if (request.method === 'GET' && path === '/promotions/codes') {
      return page([...this.bigCommerceCodes.values()].filter((c) => c.code === request.query['code']).map((c) => ({ id: c.id, code: c.code, current_uses: 0, max_uses: 1, max_uses_per_customer: 1, created: '2026-01-01T00:00:00+00:00' })));
    }
    if (!this.jsonContent(request) && request.method === 'POST') return unprocessable(['content-type is not application/json']);
    if (request.method === 'POST' && path === '/promotions') {
      const problems = bigCommercePromotionProblems(body);
      if (problems.length > 0) return unprocessable(problems);
      const promotion = { id: (this.nextId += 1), ...body, current_uses: 0, created_from: 'api' };
      this.bigCommercePromotions.set(promotion.id, promotion);
      return { status: 201, body: { data: promotion, meta: {} } };
    }
    const codes = /^\/promotions\/(\d+)\/codes$/.exec(path);
    if (request.method === 'POST' && codes) {
      const promotionId = Number(codes[1]);
      if (!this.bigCommercePromotions.has(promotionId)) return { status: 404, body: { status: 404, title: 'Promotion not found' } };
      const problems = bigCommerceCodeProblems(body);
      if (problems.length > 0) return unprocessable(problems);
      const code = String(body['code']);
      if (this.bigCommerceCodes.has(code)) return { status: 409, body: { status: 409, title: 'Coupon code already exists', type: 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes' } };
      const created = { id: (this.nextId += 1), promotionId, code };
      this.bigCommerceCodes.set(code, created);
      return { status: 201, body: { data: { id: created.id, code, current_uses: 0, max_uses: body['max_uses'] ?? 0, max_uses_per_customer: body['max_uses_per_customer'] ?? 0, created: '2026-01-01T00:00:00+00:00' }, meta: {} } };
    }
    return this.refuse([`BigCommerce: ${request.method} ${path} is not a promotions endpoint`], { status: 404, body: { status: 404, title: 'Not Found' } });
  }
}
