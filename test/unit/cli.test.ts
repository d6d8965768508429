import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import { formatMoney } from '../../bin/cli/format';

// ---- a fake admin API that records every request and answers canned JSON ----

interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
}

interface CannedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Route = (req: RecordedRequest) => CannedResponse;

const requests: RecordedRequest[] = [];
let routes = new Map<string, Route>();
let server: Server;
let apiUrl: string;
/** Where these tests' running-stack files go, so stacks running on this machine stay out of them. */
let runtimeDir: string;

function route(method: string, path: string, answer: CannedResponse | Route): void {
  routes.set(`${method} ${path}`, typeof answer === 'function' ? answer : () => answer);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://localhost');
  const recorded: RecordedRequest = {
    method: req.method ?? '',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    authorization: req.headers.authorization,
    contentType: req.headers['content-type'],
    headers: req.headers,
    body: text ? JSON.parse(text) : undefined,
  };
  requests.push(recorded);
  const answer = routes.get(`${recorded.method} ${recorded.path}`)?.(recorded) ?? {
    status: 404,
    body: { error: { code: 'not_found', message: `no route ${recorded.method} ${recorded.path}` } },
  };
  if (answer.body === undefined) {
    res.writeHead(answer.status, answer.headers).end();
  } else {
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
  }
}

beforeAll(async () => {
  runtimeDir = mkdtempSync(join(tmpdir(), 'huitou-cli-runtime-'));
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(runtimeDir, { recursive: true, force: true });
});

beforeEach(() => {
  requests.length = 0;
  routes = new Map();
});

// ---- running the CLI in-process ----

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(
  args: string[],
  { env = {}, cwd = tmpdir(), withDefaults = true }: { env?: Record<string, string>; cwd?: string; withDefaults?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const argv = withDefaults ? [...args, '--api-url', apiUrl, '--api-key', 'test-key'] : args;
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { XDG_RUNTIME_DIR: runtimeDir, ...env },
    cwd,
  });
  return { code, stdout, stderr };
}

function requestTo(method: string, path: string): RecordedRequest {
  const request = requests.find((r) => r.method === method && r.path === path);
  if (!request) throw new Error(`no ${method} ${path} request was made`);
  return request;
}

function lastRequest(): RecordedRequest {
  const request = requests.at(-1);
  if (!request) throw new Error('no request was made');
  return request;
}

// ---- fixtures ----

const customer = {
  id: 'cus_1',
  email: 'a@b.co',
  name: 'Ada Lovelace',
  phone: null,
  channels: ['ch_shop', 'ch_woo'],
  figures: {
    orders: 3,
    purchaseDays: 3,
    grossMinor: 62000,
    refundedMinor: 2106,
    netMinor: 59894,
    currency: 'USD',
    firstOrderAt: '2024-01-05T10:00:00.000Z',
    lastOrderAt: '2024-03-01T12:30:00.000Z',
  },
  consent: { email: 'subscribed' },
  segment: 'champions',
  stage: 'repeat',
  scores: null,
};

const customerDetail = {
  ...customer,
  orders: [
    {
      channelId: 'ch_shop',
      orderId: '820982911946154508',
      orderNumber: '#1003',
      placedAt: '2024-03-01T12:30:00.000Z',
      status: 'paid',
      test: false,
      currency: 'USD',
      totalMinor: 19999,
      refundedMinor: 2106,
      discountCodes: [],
    },
    {
      channelId: 'ch_woo',
      orderId: '77',
      orderNumber: null,
      placedAt: '2024-01-05T10:00:00.000Z',
      status: 'completed',
      test: true,
      currency: 'USD',
      totalMinor: 42001,
      refundedMinor: 0,
      discountCodes: ['BACK10'],
    },
  ],
  history: [{ at: '2024-03-02T00:00:00.000Z', kind: 'segment', from: 'new', to: 'champions' }],
};

const channels = [
  { id: 'ch_shop', platform: 'shopify', name: 'Main shop' },
  { id: 'ch_woo', platform: 'woocommerce', name: 'Woo store' },
];

// ---- specs ----

describe('CLI: huitou', () => {
  describe('keys', () => {
    it('creates a key with the role and prints it once with a note', async () => {
      const created = { id: 'key_9', key: 'hk_live_secretvalue', role: 'staff', createdAt: '2024-03-01T00:00:00Z' };
      route('POST', '/admin/keys', { status: 201, body: created });

      const result = await cli(['keys', 'create', '--role', 'staff']);

      expect(result.code).toBe(0);
      expect(lastRequest()).toMatchObject({
        method: 'POST',
        path: '/admin/keys',
        authorization: 'Bearer test-key',
        contentType: 'application/json',
        body: { role: 'staff' },
      });
      expect(result.stdout).toContain('hk_live_secretvalue');
      expect(result.stdout).toMatch(/shown only once/);
      expect(result.stdout).not.toContain('test-key');
    });

    it('rejects an unknown role with exit code 2 and sends nothing', async () => {
      const result = await cli(['keys', 'create', '--role', 'admin']);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--role must be one of owner, staff, readonly');
      expect(result.stderr).toContain('usage: huitou keys create');
      expect(requests).toHaveLength(0);
    });

    it('revokes a key with DELETE and handles the empty 204', async () => {
      route('DELETE', '/admin/keys/key_9', { status: 204 });

      const result = await cli(['keys', 'revoke', 'key_9']);

      expect(result.code).toBe(0);
      expect(lastRequest()).toMatchObject({ method: 'DELETE', path: '/admin/keys/key_9', body: undefined });
      expect(result.stdout).toContain('Revoked key key_9');
    });
  });

  describe('channels', () => {
    const channel = {
      id: 'ch_shop',
      platform: 'shopify',
      name: 'Main shop',
      webhookUrl: 'https://api.example.com/webhooks/shopify/ch_shop',
      currency: 'USD',
      createdAt: '2024-01-01T00:00:00.000Z',
    };

    it('adds a channel and prints its id and webhook URL', async () => {
      route('POST', '/admin/channels', { status: 201, body: channel });

      const result = await cli([
        'channels', 'add', '--platform', 'shopify', '--name', 'Main shop', '--secret', 'whsec_1', '--currency', 'usd',
      ]);

      expect(result.code).toBe(0);
      expect(lastRequest()).toMatchObject({
        method: 'POST',
        path: '/admin/channels',
        body: { platform: 'shopify', name: 'Main shop', webhookSecret: 'whsec_1', currency: 'USD' },
      });
      expect(lastRequest().body).not.toHaveProperty('apiToken');
      expect(result.stdout).toContain('ch_shop');
      expect(result.stdout).toContain('Webhook URL:  https://api.example.com/webhooks/shopify/ch_shop');
    });

    it('sends the store API settings for a BigCommerce channel', async () => {
      route('POST', '/admin/channels', { status: 201, body: { ...channel, platform: 'bigcommerce' } });

      const result = await cli([
        'channels', 'add', '--platform', 'bigcommerce', '--name', 'BC', '--secret', 's',
        '--api-base-url', 'https://api.bigcommerce.com/stores/abc', '--api-token', 'tok',
      ]);

      expect(result.code).toBe(0);
      expect(lastRequest().body).toEqual({
        platform: 'bigcommerce',
        name: 'BC',
        webhookSecret: 's',
        apiBaseUrl: 'https://api.bigcommerce.com/stores/abc',
        apiToken: 'tok',
      });
    });

    it('refuses a BigCommerce channel without the store API settings', async () => {
      const result = await cli(['channels', 'add', '--platform', 'bigcommerce', '--name', 'BC', '--secret', 's']);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--api-base-url.*--api-token/);
      expect(requests).toHaveLength(0);
    });

    it('lists channels in an aligned table', async () => {
      route('GET', '/admin/channels', { status: 200, body: { items: [channel, { ...channel, id: 'ch_w', platform: 'woocommerce', name: 'W' }] } });

      const result = await cli(['channels', 'list']);

      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+PLATFORM\s+NAME\s+CURRENCY\s+WEBHOOK URL\s+CREATED$/);
      expect(lines[1]?.indexOf('shopify')).toBe(lines[0]?.indexOf('PLATFORM'));
      expect(lines[2]?.indexOf('woocommerce')).toBe(lines[0]?.indexOf('PLATFORM'));
    });

    it('rotates the secret and later drops the previous one', async () => {
      route('PATCH', '/admin/channels/ch_shop', { status: 200, body: channel });

      const rotate = await cli(['channels', 'rotate', 'ch_shop', '--secret', 'whsec_2']);
      const rotateRequest = lastRequest();
      const finish = await cli(['channels', 'finish-rotation', 'ch_shop']);

      expect(rotate.code).toBe(0);
      expect(rotateRequest).toMatchObject({ method: 'PATCH', path: '/admin/channels/ch_shop', body: { webhookSecret: 'whsec_2' } });
      expect(rotate.stdout).toContain('huitou channels finish-rotation ch_shop');
      expect(finish.code).toBe(0);
      expect(lastRequest()).toMatchObject({ method: 'PATCH', body: { previousWebhookSecret: null } });
    });
  });

  describe('customers', () => {
    it('lists customers with the filters as query parameters and formats money', async () => {
      route('GET', '/admin/customers', { status: 200, body: { items: [customer], nextCursor: 'c2' } });
      route('GET', '/admin/channels', { status: 200, body: { items: channels } });

      const result = await cli(['customers', 'list', '--q', 'ada', '--channel', 'ch_shop', '--limit', '50']);

      expect(result.code).toBe(0);
      expect(requestTo('GET', '/admin/customers')).toMatchObject({
        method: 'GET',
        path: '/admin/customers',
        query: { q: 'ada', channel: 'ch_shop', limit: '50' },
        authorization: 'Bearer test-key',
      });
      expect(result.stdout).toMatch(/^ID\s+EMAIL\s+NAME\s+CHANNELS\s+ORDERS\s+NET\s+LAST ORDER$/m);
      expect(result.stdout).toMatch(/Ada Lovelace\s+Main shop, Woo store\s+3\s/);
      expect(result.stdout).not.toContain('ch_shop');
      expect(result.stdout).toContain('598.94 USD');
      expect(result.stdout).toContain('2024-03-01');
      expect(result.stdout).toContain('--cursor c2');
    });

    it('follows nextCursor until null with --all', async () => {
      const pages: Record<string, { items: unknown[]; nextCursor: string | null }> = {
        '': { items: [customer], nextCursor: 'p2' },
        p2: { items: [{ ...customer, id: 'cus_2', email: 'b@b.co' }], nextCursor: 'p3' },
        p3: { items: [{ ...customer, id: 'cus_3', email: 'c@b.co' }], nextCursor: null },
      };
      route('GET', '/admin/customers', (req) => ({ status: 200, body: pages[req.query.cursor ?? ''] }));

      const result = await cli(['customers', 'list', '--all', '--json', '--email', 'x@y.z']);

      expect(result.code).toBe(0);
      expect(requests.map((r) => r.query)).toEqual([
        { email: 'x@y.z' },
        { email: 'x@y.z', cursor: 'p2' },
        { email: 'x@y.z', cursor: 'p3' },
      ]);
      const printed = JSON.parse(result.stdout) as { items: { id: string }[]; nextCursor: null };
      expect(printed.items.map((c) => c.id)).toEqual(['cus_1', 'cus_2', 'cus_3']);
      expect(printed.nextCursor).toBeNull();
    });

    it('prints the raw response with --json', async () => {
      const response = { items: [customer], nextCursor: null };
      route('GET', '/admin/customers', { status: 200, body: response });

      const result = await cli(['customers', 'list', '--json']);

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(response);
    });

    it('shows a customer by id with figures, consent, channels and orders', async () => {
      route('GET', '/admin/customers/cus_1', { status: 200, body: customerDetail });
      route('GET', '/admin/channels', { status: 200, body: { items: channels } });

      const result = await cli(['customers', 'show', 'cus_1']);

      expect(result.code).toBe(0);
      expect(requests[0]).toMatchObject({ method: 'GET', path: '/admin/customers/cus_1' });
      expect(result.stdout).toMatch(/gross:\s+620\.00 USD/);
      expect(result.stdout).toMatch(/refunded:\s+21\.06 USD/);
      expect(result.stdout).toMatch(/net:\s+598\.94 USD/);
      expect(result.stdout).toMatch(/email:\s+subscribed/);
      expect(result.stdout).toContain('Main shop (ch_shop), Woo store (ch_woo)');
      expect(result.stdout).toMatch(/Scores\n\s+none: huitou does not compute scores yet\n/);
      expect(result.stdout).not.toContain('rescore');
      expect(result.stdout).toMatch(/Main shop\s+#1003\s+2024-03-01 12:30 UTC\s+paid\s+199\.99 USD\s+21\.06 USD/);
      expect(result.stdout).toMatch(/Woo store\s+77\s+.*420\.01 USD\s+0\.00 USD\s+test/);
    });

    it('shows channel ids when the channels cannot be listed', async () => {
      route('GET', '/admin/customers/cus_1', { status: 200, body: customerDetail });
      route('GET', '/admin/channels', { status: 403, body: { error: { code: 'forbidden', message: 'no' } } });

      const result = await cli(['customers', 'show', 'cus_1']);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('ch_shop, ch_woo');
      expect(result.stdout).toMatch(/ch_woo\s+77\s+.*420\.01 USD/);
    });

    it('resolves an email to the customer id first', async () => {
      route('GET', '/admin/customers', { status: 200, body: { items: [customer], nextCursor: null } });
      route('GET', '/admin/customers/cus_1', { status: 200, body: customerDetail });

      const result = await cli(['customers', 'show', 'a@b.co', '--json']);

      expect(result.code).toBe(0);
      expect(requests.map((r) => [r.method, r.path, r.query])).toEqual([
        ['GET', '/admin/customers', { email: 'a@b.co' }],
        ['GET', '/admin/customers/cus_1', {}],
      ]);
      expect(JSON.parse(result.stdout)).toEqual(customerDetail);
    });

    it('exits 1 when no customer has the email', async () => {
      route('GET', '/admin/customers', { status: 200, body: { items: [], nextCursor: null } });

      const result = await cli(['customers', 'show', 'nobody@b.co']);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no customer with email nobody@b.co');
      expect(requests).toHaveLength(1);
    });
  });

  describe('quarantine and exports', () => {
    it('lists quarantined webhooks', async () => {
      const entry = {
        id: 'q_1', channelId: 'ch_shop', platform: 'shopify', topic: 'orders/create', reason: 'schema',
        issues: [{ path: ['line_items', 0, 'price'], message: 'Expected string' }],
        receivedAt: '2024-03-01T00:00:00Z', status: 'quarantined',
      };
      route('GET', '/admin/quarantine', { status: 200, body: { items: [entry], nextCursor: null } });
      route('GET', '/admin/channels', { status: 200, body: { items: channels } });

      const result = await cli(['quarantine', 'list', '--cursor', 'abc']);

      expect(result.code).toBe(0);
      expect(requestTo('GET', '/admin/quarantine')).toMatchObject({ query: { cursor: 'abc' } });
      expect(result.stdout).toMatch(/q_1\s+Main shop\s+shopify/);
      expect(result.stdout).toContain('line_items.0.price: Expected string');
    });

    it('replays a quarantined webhook', async () => {
      route('POST', '/admin/quarantine/q_1/replay', { status: 202, body: { id: 'q_1', status: 'replaying' } });

      const result = await cli(['quarantine', 'replay', 'q_1']);

      expect(result.code).toBe(0);
      expect(lastRequest()).toMatchObject({ method: 'POST', path: '/admin/quarantine/q_1/replay' });
      expect(result.stdout).toContain('status: replaying');
    });

    it('lists exports and prints one as JSON', async () => {
      const data = { id: 'exp_1', customer: { email: 'a@b.co' }, orders: [] };
      route('GET', '/admin/exports', { status: 200, body: { items: [{ id: 'exp_1', channelId: 'ch_shop', requestId: 'r1', createdAt: '2024-03-01T00:00:00Z' }] } });
      route('GET', '/admin/exports/exp_1', { status: 200, body: data });

      const list = await cli(['exports', 'list']);
      const show = await cli(['exports', 'show', 'exp_1']);

      expect(list.stdout).toMatch(/exp_1\s+ch_shop\s+r1/);
      expect(show.code).toBe(0);
      expect(JSON.parse(show.stdout)).toEqual(data);
    });

    it('escapes ids in the path', async () => {
      route('GET', '/admin/exports/a%2Fb', { status: 200, body: {} });

      await cli(['exports', 'show', 'a/b']);

      expect(lastRequest().path).toBe('/admin/exports/a%2Fb');
    });
  });

  describe('errors', () => {
    it('prints the API error message with status and code and exits 1', async () => {
      route('POST', '/admin/keys', { status: 403, body: { error: { code: 'forbidden', message: 'staff keys cannot create keys' } } });

      const result = await cli(['keys', 'create', '--role', 'owner']);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: staff keys cannot create keys (403 forbidden)\n');
      expect(result.stdout).toBe('');
    });

    const busy: CannedResponse = {
      status: 503,
      headers: { 'retry-after': '0' },
      body: { error: { code: 'unavailable', message: 'a service huitou depends on is busy or failed; try again shortly' } },
    };

    it('asks again when a read answers 503, and prints what the later answer says', async () => {
      let calls = 0;
      route('GET', '/admin/channels', () => (++calls <= 2 ? busy : { status: 200, body: { items: [] } }));

      const result = await cli(['channels', 'list']);

      expect(result.code).toBe(0);
      expect(requests.filter((r) => r.method === 'GET' && r.path === '/admin/channels')).toHaveLength(3);
      expect(result.stderr).toBe('');
    });

    it('gives a read up after five busy answers and says why', async () => {
      route('GET', '/admin/channels', busy);

      const result = await cli(['channels', 'list']);

      expect(result.code).toBe(1);
      expect(requests).toHaveLength(5);
      expect(result.stderr).toBe('error: a service huitou depends on is busy or failed; try again shortly (503 unavailable)\n');
    });

    it('sends a write once even when it answers 503', async () => {
      route('POST', '/admin/channels', busy);

      const result = await cli(['channels', 'add', '--platform', 'shopify', '--name', 'Main shop', '--secret', 's', '--currency', 'USD']);

      expect(result.code).toBe(1);
      expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    });

    it('names the URL and suggests npm start when the connection is refused', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise<void>((resolve) => closed.close(() => resolve()));

      const result = await cli(['channels', 'list', '--api-url', deadUrl, '--api-key', 'k'], { withDefaults: false });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(deadUrl);
      expect(result.stderr).toContain('npm start');
      expect(result.stderr).toContain('ECONNREFUSED');
    });

    it('exits 2 with the usage line for an unknown command', async () => {
      const result = await cli(['frobnicate']);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain("unknown command 'frobnicate'");
      expect(result.stderr).toContain('usage: huitou');
    });

    it('exits 2 for an unknown flag and for a missing required flag', async () => {
      const unknown = await cli(['customers', 'list', '--colour', 'red']);
      const missing = await cli(['channels', 'add', '--platform', 'shopify', '--name', 'x']);

      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("'--colour'");
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('missing required option --secret');
      expect(missing.stderr).toContain('usage: huitou channels add');
      expect(requests).toHaveLength(0);
    });

    it('prints usage for every command with --help', async () => {
      const result = await cli(['--help'], { withDefaults: false });

      expect(result.code).toBe(0);
      for (const command of ['keys create', 'channels add', 'customers show', 'quarantine replay', 'exports show']) {
        expect(result.stdout).toContain(`huitou ${command}`);
      }
    });

    it('prints the package version with --version', async () => {
      const result = await cli(['--version'], { withDefaults: false });

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
    });
  });

  describe('configuration', () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'huitou-cli-'));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads the API URL and key from .huitou/local.json in the working directory', async () => {
      mkdirSync(join(dir, '.huitou'));
      writeFileSync(join(dir, '.huitou', 'local.json'), JSON.stringify({ apiUrl, apiKey: 'local-key' }));
      route('GET', '/admin/channels', { status: 200, body: { items: [] } });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer local-key');
    });

    it('reads local.json from HUITOU_DATA_DIR and lets the environment override the key', async () => {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'local.json'), JSON.stringify({ apiUrl, apiKey: 'local-key' }));
      route('GET', '/admin/channels', { status: 200, body: { items: [] } });

      const result = await cli(['channels', 'list'], {
        cwd: dir,
        env: { HUITOU_DATA_DIR: 'data', HUITOU_API_KEY: 'env-key' },
        withDefaults: false,
      });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer env-key');
    });

    it('exits 2 without sending anything when no API key is configured', async () => {
      const result = await cli(['channels', 'list', '--api-url', apiUrl], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('no API key');
      expect(requests).toHaveLength(0);
    });

    it('does not send the key of local.json to another API URL', async () => {
      mkdirSync(join(dir, '.huitou'));
      writeFileSync(join(dir, '.huitou', 'local.json'), JSON.stringify({ apiUrl: 'http://127.0.0.1:1', apiKey: 'local-key' }));

      const result = await cli(['channels', 'list', '--api-url', apiUrl], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`no API key for ${apiUrl}`);
      expect(result.stderr).toContain('HUITOU_API_KEY');
      expect(requests).toHaveLength(0);
    });
  });

  describe('finding a running local stack', () => {
    let dir: string;
    let stacksDir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'huitou-cli-'));
      stacksDir = join(runtimeDir, 'huitou');
      mkdirSync(stacksDir, { mode: 0o700 });
      route('GET', '/admin/channels', { status: 200, body: { items: [] } });
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(stacksDir, { recursive: true, force: true });
    });

    /** What bin/local.ts leaves for a stack on `port`. */
    function announce(port: number, info: { apiUrl?: string; apiKey: string; pid?: number; cwd?: string; dataDir?: string | null }) {
      const file = join(stacksDir, `stack-${port}.json`);
      writeFileSync(
        file,
        JSON.stringify({ apiUrl, pid: process.pid, cwd: dir, dataDir: null, startedAt: new Date().toISOString(), ...info }),
        { mode: 0o600 },
      );
      return file;
    }

    function exitedPid(): number {
      const child = spawnSync(process.execPath, ['-e', '']);
      return child.pid as number;
    }

    it('finds a stack in memory started in this directory, with its key', async () => {
      announce(3001, { apiKey: 'memory-key' });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer memory-key');
      expect(result.stderr).toBe('');
    });

    it('finds the stack from a subdirectory of where it was started', async () => {
      announce(3001, { apiKey: 'memory-key' });
      mkdirSync(join(dir, 'sub'));

      const result = await cli(['channels', 'list'], { cwd: join(dir, 'sub'), withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer memory-key');
    });

    it('prefers a running stack to a local.json left by a stopped one', async () => {
      mkdirSync(join(dir, '.huitou'));
      writeFileSync(join(dir, '.huitou', 'local.json'), JSON.stringify({ apiUrl: 'http://127.0.0.1:1', apiKey: 'old-key' }));
      announce(3001, { apiKey: 'running-key' });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer running-key');
    });

    it('ignores the file of a stack whose process is gone and says what to run or set', async () => {
      announce(3001, { apiKey: 'stale-key', pid: exitedPid() });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(2);
      expect(requests).toHaveLength(0);
      expect(result.stderr).toContain('no huitou stack found');
      expect(result.stderr).toContain(stacksDir);
      expect(result.stderr).toContain(join(dir, '.huitou', 'local.json'));
      expect(result.stderr).toContain('`npm start`');
      expect(result.stderr).toMatch(/HUITOU_API_URL and HUITOU_API_KEY \(or pass --api-url and --api-key\)/);
    });

    it('uses the only running stack, started elsewhere, and says so', async () => {
      announce(3001, { apiKey: 'elsewhere-key', cwd: '/somewhere/else' });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer elsewhere-key');
      expect(result.stderr).toContain('started in /somewhere/else');
    });

    it('prefers the stack started in this directory when several run', async () => {
      announce(3001, { apiKey: 'other-key', apiUrl: 'http://127.0.0.1:1', cwd: '/somewhere/else' });
      announce(3002, { apiKey: 'here-key' });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer here-key');
    });

    it('lists the stacks and says what to set when several run and none here', async () => {
      announce(3001, { apiKey: 'a-key', apiUrl: 'http://127.0.0.1:3001', cwd: '/a', dataDir: '/a/.huitou' });
      announce(3002, { apiKey: 'b-key', apiUrl: 'http://127.0.0.1:3002', cwd: '/b' });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(2);
      expect(requests).toHaveLength(0);
      expect(result.stderr).toContain(`2 local stacks are running, none started in ${dir}`);
      expect(result.stderr).toMatch(/http:\/\/127\.0\.0\.1:3001 +pid \d+ +started in \/a +data in \/a\/\.huitou/);
      expect(result.stderr).toMatch(/http:\/\/127\.0\.0\.1:3002 +pid \d+ +started in \/b +in memory/);
      expect(result.stderr).toContain('set HUITOU_API_URL=http://127.0.0.1:3001');
      expect(result.stderr).not.toContain('a-key');
    });

    it('takes the key of the running stack that HUITOU_API_URL names', async () => {
      announce(3001, { apiKey: 'a-key', apiUrl: 'http://127.0.0.1:1', cwd: '/a' });
      announce(3002, { apiKey: 'b-key', apiUrl: `${apiUrl}/`, cwd: '/b' });

      const result = await cli(['channels', 'list'], { cwd: dir, env: { HUITOU_API_URL: apiUrl }, withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer b-key');
    });

    it('picks the stack whose data directory HUITOU_DATA_DIR names', async () => {
      announce(3001, { apiKey: 'a-key', apiUrl: 'http://127.0.0.1:1', dataDir: join(dir, 'a') });
      announce(3002, { apiKey: 'b-key', dataDir: join(dir, 'b') });

      const result = await cli(['channels', 'list'], { cwd: dir, env: { HUITOU_DATA_DIR: 'b' }, withDefaults: false });

      expect(result.code).toBe(0);
      expect(lastRequest().authorization).toBe('Bearer b-key');
    });

    it('ignores stack files in a directory other users may write, with a warning', async () => {
      announce(3001, { apiKey: 'planted-key' });
      chmodSync(stacksDir, 0o777);

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(2);
      expect(requests).toHaveLength(0);
      expect(result.stderr).toContain(`ignoring running-stack files in ${stacksDir}: its mode is 777`);
    });

    it('names the stack and its directory when the stack it found does not answer', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const file = announce(3001, { apiKey: 'k', apiUrl: deadUrl });

      const result = await cli(['channels', 'list'], { cwd: dir, withDefaults: false });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot reach the huitou API at ${deadUrl}`);
      expect(result.stderr).toContain(`started in ${dir} (pid ${process.pid}, announced in ${file})`);
    });
  });

  describe('webhooks send-test', () => {
    const delivery = (overrides: Record<string, unknown> = {}) => ({
      channelId: 'ch_shop',
      platform: 'shopify',
      webhookUrl: `${apiUrl}/webhooks/shopify/ch_shop`,
      headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': 'c2lnbmVk', 'x-shopify-topic': 'orders/create' },
      body: '{"id":"test-1"}',
      deliveryId: 'huitou-test-1',
      orderId: 'test-1',
      expect: 'order',
      customerEmail: 'test-customer@example.com',
      testOrder: true,
      quarantineId: 'q_1',
      ...overrides,
    });
    const testCustomer = { id: 'cus_t', email: 'test-customer@example.com', orders: [{ channelId: 'ch_shop', orderId: 'test-1' }] };

    function processedAfter(looks: number): void {
      let count = 0;
      route('GET', '/admin/customers', () =>
        ++count < looks ? { status: 200, body: { items: [], nextCursor: null } } : { status: 200, body: { items: [{ id: 'cus_t' }], nextCursor: null } },
      );
      route('GET', '/admin/customers/cus_t', { status: 200, body: testCustomer });
    }

    it('sends the signed sample as the store would and reports the order on the customer', async () => {
      route('POST', '/admin/channels/ch_shop/test-delivery', { status: 200, body: delivery() });
      route('POST', '/webhooks/shopify/ch_shop', { status: 200, body: { ok: true } });
      processedAfter(3);

      const result = await cli(['webhooks', 'send-test', 'ch_shop']);

      expect(result.code).toBe(0);
      const sent = requestTo('POST', '/webhooks/shopify/ch_shop');
      expect(sent.body).toEqual({ id: 'test-1' });
      expect(sent.headers['x-shopify-hmac-sha256']).toBe('c2lnbmVk');
      expect(sent.headers['x-shopify-topic']).toBe('orders/create');
      expect(sent.authorization).toBeUndefined();
      expect(result.stdout).toContain(`answer: 200 {"ok":true}`);
      expect(result.stdout).toContain('Processed: order test-1 is on customer cus_t (test-customer@example.com)');
      expect(result.stdout).toContain('not counted in the figures');
      expect(result.stdout).toContain('huitou customers show test-customer@example.com');
      expect(result.stderr).toContain('waiting for the processor (up to 30 s)');
    });

    it('reports the reason when the delivery lands in quarantine', async () => {
      route('POST', '/admin/channels/ch_shop/test-delivery', { status: 200, body: delivery() });
      route('POST', '/webhooks/shopify/ch_shop', { status: 200, body: { ok: true } });
      route('GET', '/admin/customers', { status: 200, body: { items: [], nextCursor: null } });
      route('GET', '/admin/quarantine/q_1', {
        status: 200,
        body: { id: 'q_1', reason: 'invalid shopify orders/create payload', issues: ['total_price_set: Required'] },
      });

      const result = await cli(['webhooks', 'send-test', 'ch_shop']);

      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Quarantined: the processor could not use the delivery.');
      expect(result.stdout).toMatch(/reason:\s+invalid shopify orders\/create payload/);
      expect(result.stdout).toMatch(/issues:\s+total_price_set: Required/);
      expect(result.stderr).toContain('the test delivery was quarantined');
    });

    it('explains a BigCommerce test that the store answered 404 for, and succeeds', async () => {
      route('POST', '/admin/channels/ch_bc/test-delivery', {
        status: 200,
        body: delivery({ channelId: 'ch_bc', platform: 'bigcommerce', webhookUrl: `${apiUrl}/webhooks/bigcommerce/ch_bc`, expect: 'store-fetch', customerEmail: null, orderId: '0' }),
      });
      route('POST', '/webhooks/bigcommerce/ch_bc', { status: 200, body: { ok: true } });
      route('GET', '/admin/quarantine/q_1', { status: 200, body: { id: 'q_1', reason: 'BigCommerce API answered 404 for /v2/orders/0', issues: [] } });

      const result = await cli(['webhooks', 'send-test', 'ch_bc']);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Quarantined, as expected for BigCommerce');
      expect(result.stdout).toContain('the store accepted the channel\'s API token');
      expect(requests.some((r) => r.path === '/admin/customers')).toBe(false);
    });

    it('fails with the store\'s answer when BigCommerce refuses the token', async () => {
      route('POST', '/admin/channels/ch_bc/test-delivery', {
        status: 200,
        body: delivery({ platform: 'bigcommerce', webhookUrl: `${apiUrl}/webhooks/bigcommerce/ch_bc`, expect: 'store-fetch', customerEmail: null }),
      });
      route('POST', '/webhooks/bigcommerce/ch_bc', { status: 200, body: { ok: true } });
      route('GET', '/admin/quarantine/q_1', { status: 200, body: { id: 'q_1', reason: 'BigCommerce API answered 401 for /v2/orders/0' } });

      const result = await cli(['webhooks', 'send-test', 'ch_bc']);

      expect(result.code).toBe(1);
      expect(result.stdout).toContain('answered 401');
      expect(result.stdout).toContain('--api-token');
    });

    it('stops when the webhook URL refuses the delivery', async () => {
      route('POST', '/admin/channels/ch_shop/test-delivery', { status: 200, body: delivery() });
      route('POST', '/webhooks/shopify/ch_shop', { status: 401, body: { error: { code: 'bad_signature', message: 'no' } } });

      const result = await cli(['webhooks', 'send-test', 'ch_shop']);

      expect(result.code).toBe(1);
      expect(result.stdout).toContain('answer: 401');
      expect(result.stderr).toContain('the webhook URL answered 401: the delivery was not accepted');
      expect(requests.some((r) => r.path.startsWith('/admin/customers') || r.path.startsWith('/admin/quarantine'))).toBe(false);
    });

    it('gives up after --timeout and says where to look', async () => {
      route('POST', '/admin/channels/ch_shop/test-delivery', { status: 200, body: delivery() });
      route('POST', '/webhooks/shopify/ch_shop', { status: 200, body: { ok: true } });
      route('GET', '/admin/customers', { status: 200, body: { items: [], nextCursor: null } });

      const started = Date.now();
      const result = await cli(['webhooks', 'send-test', 'ch_shop', '--timeout', '1']);

      expect(result.code).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(result.stdout).toContain('No outcome yet');
      expect(result.stderr).toContain('no outcome within 1 s');
    });

    it('prints one JSON summary with --json', async () => {
      route('POST', '/admin/channels/ch_shop/test-delivery', { status: 200, body: delivery() });
      route('POST', '/webhooks/shopify/ch_shop', { status: 200, body: { ok: true } });
      processedAfter(1);

      const result = await cli(['webhooks', 'send-test', 'ch_shop', '--json']);

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        webhook: { url: `${apiUrl}/webhooks/shopify/ch_shop`, status: 200, body: '{"ok":true}' },
        orderId: 'test-1',
        outcome: 'processed',
        customerId: 'cus_t',
      });
    });

    it('exits 2 for a --timeout that is not a number of seconds', async () => {
      const result = await cli(['webhooks', 'send-test', 'ch_shop', '--timeout', 'soon']);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--timeout must be a whole number of seconds');
      expect(requests).toHaveLength(0);
    });
  });

  describe('README', () => {
    it('shows exactly what huitou --help prints', async () => {
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const intro = readme.indexOf('`npx huitou --help` prints:');
      const start = readme.indexOf('```\n', intro) + 4;
      const block = readme.slice(start, readme.indexOf('```\n', start));

      const result = await cli(['--help'], { withDefaults: false });

      expect(intro).toBeGreaterThan(-1);
      expect(block).toBe(result.stdout);
    });
  });
});

describe('Function: formatMoney', () => {
  it('uses the fraction digits of the currency', () => {
    expect(formatMoney(59894, 'USD')).toBe('598.94 USD');
    expect(formatMoney(1200, 'JPY')).toBe('1,200 JPY');
    expect(formatMoney(1234567, 'KWD')).toBe('1,234.567 KWD');
    expect(formatMoney(-5, 'EUR')).toBe('-0.05 EUR');
    expect(formatMoney(null, 'USD')).toBe('-');
  });
});
