import type { ParseArgsConfig } from 'node:util';
import { apiPath, type ApiClient } from './client';
import { ApiError, CliError, UsageError } from './errors';
import { cell, formatDate, formatMoney, keyValues, summarizeIssues, table, type Column } from './format';
import { campaignCommands } from './campaigns';
import { scoringCommands } from './scoring';
import { demo } from './demo';
import { importCommand } from './import';
import { webhooksSendTest } from './webhooks';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  client: ApiClient;
  values: OptionValues;
  /** Positional arguments after the command words. */
  args: string[];
  json: boolean;
  out: (text: string) => void;
  /** Progress and notes, on stderr. */
  err: (text: string) => void;
  /** stderr is a terminal: progress may redraw its line. */
  isTTY: boolean;
}

export interface Command {
  /** Two words: group and action. */
  name: string;
  /** The usage line, without the leading `huitou `. */
  usage: string;
  summary: string;
  options: OptionsConfig;
  /** Names of required positional arguments, in order. */
  args: string[];
  required?: string[];
  run: (ctx: CommandContext) => Promise<void>;
}

// ---- API shapes (the names the CLI reads; the API may send more) ----

interface Money {
  currency?: string | null;
}
interface Figures extends Money {
  orders?: number;
  purchaseDays?: number;
  grossMinor?: number;
  refundedMinor?: number;
  netMinor?: number;
  firstOrderAt?: string | null;
  lastOrderAt?: string | null;
}
interface Scores {
  r?: number | null;
  f?: number | null;
  m?: number | null;
  pAlive?: number | null;
  expectedOrders90?: number | null;
  expectedOrders365?: number | null;
  clv12m?: number | null;
  nextOrderAt?: string | null;
}
interface Customer {
  id: string;
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  channels?: string[];
  figures?: Figures;
  consent?: { email?: string };
  segment?: string | null;
  stage?: string | null;
  scores?: Scores | null;
}
interface Order {
  channelId?: string;
  orderId?: string;
  orderNumber?: string | number | null;
  placedAt?: string;
  status?: string;
  test?: boolean;
  currency?: string;
  totalMinor?: number;
  refundedMinor?: number;
  discountCodes?: string[];
}
interface HistoryEntry {
  at?: string;
  changedAt?: string;
  kind?: string;
  type?: string;
  field?: string;
  from?: string | null;
  to?: string | null;
}
interface CustomerDetail extends Customer {
  orders?: Order[];
  history?: HistoryEntry[];
}
interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
interface Channel {
  id: string;
  platform?: string;
  name?: string;
  webhookUrl?: string;
  currency?: string | null;
  apiBaseUrl?: string | null;
  createdAt?: string;
}
interface CreatedKey {
  id: string;
  key: string;
  role: string;
  createdAt?: string;
}
interface QuarantineEntry {
  id: string;
  channelId?: string;
  platform?: string;
  topic?: string | null;
  reason?: string;
  issues?: unknown;
  receivedAt?: string;
  status?: string;
}
interface ExportEntry {
  id: string;
  channelId?: string;
  requestId?: string | null;
  createdAt?: string;
}

const ROLES = ['owner', 'staff', 'readonly'] as const;
const PLATFORMS = ['shopify', 'woocommerce', 'bigcommerce', 'standard'] as const;

// ---- helpers ----

export function printJson(ctx: CommandContext, body: unknown): void {
  ctx.out(`${JSON.stringify(body ?? null, null, 2)}\n`);
}

function oneOf<T extends string>(command: Command, flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`, command.usage);
  }
  return value as T;
}

export function str(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function positiveInteger(command: Command, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--${flag} must be a positive integer (got "${value}")`, command.usage);
  }
  return Number(value);
}

function httpUrl(command: Command, flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return value;
  } catch {
    // fall through to the usage error
  }
  throw new UsageError(`--${flag} must be an http(s) URL (got "${value}")`, command.usage);
}

/**
 * Channel names by id, for human output: people know their stores by name. Names are a
 * courtesy, so a key that cannot list channels still gets its answer, with ids.
 */
async function channelNames(ctx: CommandContext): Promise<Map<string, string>> {
  try {
    const { body } = await ctx.client.get<Page<Channel>>('/admin/channels');
    return new Map(body.items.filter((c) => c.name).map((c) => [c.id, c.name as string]));
  } catch (error) {
    if (error instanceof ApiError) return new Map();
    throw error;
  }
}

function channelName(names: Map<string, string>, id: string | undefined): string | undefined {
  return id === undefined ? undefined : (names.get(id) ?? id);
}

/** `Main store (ch_1a2b)`: the name, with the id that other commands take. */
function channelLabel(names: Map<string, string>, id: string): string {
  const name = names.get(id);
  return name === undefined ? cell(id) : `${cell(name)} (${cell(id)})`;
}

function nextPageHint(ctx: CommandContext, nextCursor: string | null | undefined, command: string): void {
  if (nextCursor) ctx.out(`\nmore: huitou ${command} --cursor ${nextCursor}\n`);
}

function percent(value: number | null | undefined): string {
  return typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '-';
}

function decimal(value: number | null | undefined, digits = 2): string {
  return typeof value === 'number' ? value.toFixed(digits) : '-';
}

// ---- commands ----

const keysCreate: Command = {
  name: 'keys create',
  usage: 'keys create --role owner|staff|readonly',
  summary: 'create an API key (the key is shown once)',
  options: { role: { type: 'string' } },
  args: [],
  required: ['role'],
  async run(ctx) {
    const role = oneOf(keysCreate, 'role', str(ctx.values, 'role') as string, ROLES);
    const { body } = await ctx.client.post<CreatedKey>('/admin/keys', { role });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Created ${body.role} key ${body.id}\n\n  ${body.key}\n\n`);
    ctx.out('This key is shown only once: store it now (a password manager, or HUITOU_API_KEY).\n');
  },
};

const keysRevoke: Command = {
  name: 'keys revoke',
  usage: 'keys revoke <id>',
  summary: 'revoke an API key',
  options: {},
  args: ['id'],
  async run(ctx) {
    const [id] = ctx.args as [string];
    const { body } = await ctx.client.delete(apiPath`/admin/keys/${id}`);
    if (ctx.json) {
      if (body !== undefined) printJson(ctx, body);
      return;
    }
    ctx.out(`Revoked key ${id}\n`);
  },
};

const channelsAdd: Command = {
  name: 'channels add',
  usage:
    'channels add --platform shopify|woocommerce|bigcommerce|standard --name <name> --secret <webhook secret> ' +
    '[--api-base-url <url>] [--api-token <token>] [--currency <ISO>]',
  summary: 'connect a store channel and get its webhook URL',
  options: {
    platform: { type: 'string' },
    name: { type: 'string' },
    secret: { type: 'string' },
    'api-base-url': { type: 'string' },
    'api-token': { type: 'string' },
    currency: { type: 'string' },
  },
  args: [],
  required: ['platform', 'name', 'secret'],
  async run(ctx) {
    const platform = oneOf(channelsAdd, 'platform', str(ctx.values, 'platform') as string, PLATFORMS);
    const apiBaseUrl = httpUrl(channelsAdd, 'api-base-url', str(ctx.values, 'api-base-url'));
    const apiToken = str(ctx.values, 'api-token');
    if (platform === 'bigcommerce' && (!apiBaseUrl || !apiToken)) {
      throw new UsageError(
        'BigCommerce webhooks carry only the order id, so huitou fetches each order from the store API: ' +
          'pass --api-base-url (for example https://api.bigcommerce.com/stores/<store hash>) and --api-token',
        channelsAdd.usage,
      );
    }
    let currency = str(ctx.values, 'currency');
    if (currency !== undefined) {
      currency = currency.toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) {
        throw new UsageError(`--currency must be an ISO 4217 code such as USD (got "${currency}")`, channelsAdd.usage);
      }
    }
    const secret = str(ctx.values, 'secret') as string;
    if (secret === '') throw new UsageError('--secret must not be empty', channelsAdd.usage);

    const { body } = await ctx.client.post<Channel>('/admin/channels', {
      platform,
      name: str(ctx.values, 'name'),
      webhookSecret: secret,
      ...(apiBaseUrl !== undefined ? { apiBaseUrl } : {}),
      ...(apiToken !== undefined ? { apiToken } : {}),
      ...(currency !== undefined ? { currency } : {}),
    });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Channel created: ${cell(body.id)} (${cell(body.platform ?? platform)}, ${cell(body.name)})\n\n`);
    ctx.out(`  Webhook URL:  ${cell(body.webhookUrl)}\n\n`);
    ctx.out(`Point the store's order webhooks at this URL, signed with the secret you gave.\n`);
  },
};

const channelColumns: Column<Channel>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'platform', value: (c) => c.platform },
  { header: 'name', value: (c) => c.name },
  { header: 'currency', value: (c) => c.currency },
  { header: 'webhook url', value: (c) => c.webhookUrl },
  { header: 'created', value: (c) => formatDate(c.createdAt, { dateOnly: true }) },
];

const channelsList: Command = {
  name: 'channels list',
  usage: 'channels list',
  summary: 'list channels and their webhook URLs',
  options: {},
  args: [],
  async run(ctx) {
    const { body } = await ctx.client.get<Page<Channel>>('/admin/channels');
    if (ctx.json) return printJson(ctx, body);
    if (body.items.length === 0) return ctx.out('No channels yet. Add one with `huitou channels add`.\n');
    ctx.out(table(body.items, channelColumns));
  },
};

const channelsRotate: Command = {
  name: 'channels rotate',
  usage: 'channels rotate <id> --secret <new webhook secret>',
  summary: 'start a webhook secret rotation (old and new secrets both verify)',
  options: { secret: { type: 'string' } },
  args: ['id'],
  required: ['secret'],
  async run(ctx) {
    const [id] = ctx.args as [string];
    const secret = str(ctx.values, 'secret') as string;
    if (secret === '') throw new UsageError('--secret must not be empty', channelsRotate.usage);
    const { body } = await ctx.client.patch(apiPath`/admin/channels/${id}`, { webhookSecret: secret });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(
      `Channel ${id}: the new secret is active and the previous one still verifies.\n` +
        `Once the store signs with the new secret, run: huitou channels finish-rotation ${id}\n`,
    );
  },
};

const channelsFinishRotation: Command = {
  name: 'channels finish-rotation',
  usage: 'channels finish-rotation <id>',
  summary: 'stop accepting the previous webhook secret',
  options: {},
  args: ['id'],
  async run(ctx) {
    const [id] = ctx.args as [string];
    const { body } = await ctx.client.patch(apiPath`/admin/channels/${id}`, { previousWebhookSecret: null });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Channel ${id}: rotation finished; only the new secret verifies now.\n`);
  },
};

const customerColumns = (names: Map<string, string>): Column<Customer>[] => [
  { header: 'id', value: (c) => c.id },
  { header: 'email', value: (c) => c.email },
  { header: 'name', value: (c) => c.name },
  { header: 'channels', value: (c) => c.channels?.map((id) => channelName(names, id)).join(', ') },
  { header: 'orders', value: (c) => c.figures?.orders, align: 'right' },
  { header: 'net', value: (c) => formatMoney(c.figures?.netMinor, c.figures?.currency), align: 'right' },
  { header: 'last order', value: (c) => formatDate(c.figures?.lastOrderAt, { dateOnly: true }) },
];

const customersList: Command = {
  name: 'customers list',
  usage:
    'customers list [--email <e>] [--q <text>] [--channel <id>] [--segment <s>] [--stage <s>] [--sort <s>] ' +
    '[--limit <n>] [--cursor <c>] [--all]',
  summary: 'find customers (--all follows every page)',
  options: {
    email: { type: 'string' },
    q: { type: 'string' },
    channel: { type: 'string' },
    segment: { type: 'string' },
    stage: { type: 'string' },
    sort: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    all: { type: 'boolean' },
  },
  args: [],
  async run(ctx) {
    const query = {
      email: str(ctx.values, 'email'),
      q: str(ctx.values, 'q'),
      channel: str(ctx.values, 'channel'),
      segment: str(ctx.values, 'segment'),
      stage: str(ctx.values, 'stage'),
      sort: str(ctx.values, 'sort'),
      limit: positiveInteger(customersList, 'limit', str(ctx.values, 'limit')),
    };
    let cursor = str(ctx.values, 'cursor');
    const items: Customer[] = [];
    let page: Page<Customer>;
    const seen = new Set<string>();
    for (;;) {
      ({ body: page } = await ctx.client.get<Page<Customer>>('/admin/customers', { ...query, cursor }));
      items.push(...page.items);
      if (!ctx.values.all || !page.nextCursor) break;
      // A cursor that comes back twice would loop forever; stop rather than hammer the API.
      if (seen.has(page.nextCursor)) throw new CliError(`the API returned cursor ${page.nextCursor} twice`);
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
    const nextCursor = page.nextCursor ?? null;
    if (ctx.json) return printJson(ctx, ctx.values.all ? { items, nextCursor } : page);
    if (items.length === 0) return ctx.out('No customers found.\n');
    ctx.out(table(items, customerColumns(await channelNames(ctx))));
    if (!ctx.values.all) nextPageHint(ctx, nextCursor, 'customers list');
  },
};

const orderColumns = (names: Map<string, string>): Column<Order>[] => [
  { header: 'channel', value: (o) => channelName(names, o.channelId) },
  { header: 'order', value: (o) => (o.orderNumber != null && o.orderNumber !== '' ? o.orderNumber : o.orderId) },
  { header: 'placed at', value: (o) => formatDate(o.placedAt) },
  { header: 'status', value: (o) => o.status },
  { header: 'total', value: (o) => formatMoney(o.totalMinor, o.currency), align: 'right' },
  { header: 'refunded', value: (o) => formatMoney(o.refundedMinor, o.currency), align: 'right' },
  { header: 'test', value: (o) => (o.test ? 'test' : '') },
];

const historyColumns: Column<HistoryEntry>[] = [
  { header: 'at', value: (h) => formatDate(h.at ?? h.changedAt) },
  { header: 'kind', value: (h) => h.kind ?? h.type ?? h.field },
  { header: 'from', value: (h) => h.from },
  { header: 'to', value: (h) => h.to },
];

function renderCustomer(c: CustomerDetail, names: Map<string, string>): string {
  const f = c.figures ?? {};
  const s = c.scores;
  const scored = s != null && Object.values(s).some((v) => v !== null && v !== undefined);
  const parts = [
    `${cell(c.name)} <${cell(c.email)}>\n`,
    keyValues(
      [
        ['id', c.id],
        ['email', c.email],
        ['name', c.name],
        ['phone', c.phone],
        ['segment', c.segment],
        ['stage', c.stage],
      ],
      '  ',
    ),
    '\nFigures\n',
    keyValues(
      [
        ['orders', f.orders],
        ['purchase days', f.purchaseDays],
        ['gross', formatMoney(f.grossMinor, f.currency)],
        ['refunded', formatMoney(f.refundedMinor, f.currency)],
        ['net', formatMoney(f.netMinor, f.currency)],
        ['first order', formatDate(f.firstOrderAt)],
        ['last order', formatDate(f.lastOrderAt)],
      ],
      '  ',
    ),
    '\nScores\n',
    scored
      ? keyValues(
          [
            ['R / F / M', `${cell(s.r)} / ${cell(s.f)} / ${cell(s.m)}`],
            ['P(alive)', percent(s.pAlive)],
            ['expected orders 90 d', decimal(s.expectedOrders90)],
            ['expected orders 365 d', decimal(s.expectedOrders365)],
            ['CLV 12 months', s.clv12m == null ? '-' : `${decimal(s.clv12m)}${f.currency ? ` ${f.currency}` : ''}`],
            ['next order', formatDate(s.nextOrderAt, { dateOnly: true })],
          ],
          '  ',
        )
      : '  none: huitou does not compute scores yet\n',
    '\nConsent\n',
    keyValues([['email', c.consent?.email ?? 'unknown']], '  '),
    '\nChannels\n',
    `  ${c.channels?.length ? c.channels.map((id) => channelLabel(names, id)).join(', ') : '-'}\n`,
  ];
  const orders = c.orders ?? [];
  parts.push(`\nOrders (${orders.length})\n`, orders.length ? table(orders, orderColumns(names)) : '  none\n');
  if (c.history?.length) parts.push('\nHistory\n', table(c.history, historyColumns));
  return parts.join('');
}

const customersShow: Command = {
  name: 'customers show',
  usage: 'customers show <id|email>',
  summary: 'one customer: profile, figures, consent, channels and orders',
  options: {},
  args: ['id|email'],
  async run(ctx) {
    const [ref] = ctx.args as [string];
    let id = ref;
    if (ref.includes('@')) {
      const { body } = await ctx.client.get<Page<Customer>>('/admin/customers', { email: ref });
      const first = body.items[0];
      if (!first) throw new CliError(`no customer with email ${ref}`);
      id = first.id;
    }
    const { body } = await ctx.client.get<CustomerDetail>(apiPath`/admin/customers/${id}`);
    if (ctx.json) return printJson(ctx, body);
    ctx.out(renderCustomer(body, await channelNames(ctx)));
  },
};

const quarantineColumns = (names: Map<string, string>): Column<QuarantineEntry>[] => [
  { header: 'id', value: (q) => q.id },
  { header: 'channel', value: (q) => channelName(names, q.channelId) },
  { header: 'platform', value: (q) => q.platform },
  { header: 'topic', value: (q) => q.topic },
  { header: 'reason', value: (q) => q.reason },
  { header: 'issues', value: (q) => summarizeIssues(q.issues) },
  { header: 'received', value: (q) => formatDate(q.receivedAt) },
  { header: 'status', value: (q) => q.status },
];

const quarantineList: Command = {
  name: 'quarantine list',
  usage: 'quarantine list [--cursor <c>]',
  summary: 'signed webhook bodies that failed the schema, kept for replay',
  options: { cursor: { type: 'string' } },
  args: [],
  async run(ctx) {
    const { body } = await ctx.client.get<Page<QuarantineEntry>>('/admin/quarantine', {
      cursor: str(ctx.values, 'cursor'),
    });
    if (ctx.json) return printJson(ctx, body);
    if (body.items.length === 0) return ctx.out('Quarantine is empty.\n');
    ctx.out(table(body.items, quarantineColumns(await channelNames(ctx))));
    nextPageHint(ctx, body.nextCursor, 'quarantine list');
  },
};

const quarantineReplay: Command = {
  name: 'quarantine replay',
  usage: 'quarantine replay <id>',
  summary: 'process a quarantined webhook again',
  options: {},
  args: ['id'],
  async run(ctx) {
    const [id] = ctx.args as [string];
    const { body } = await ctx.client.post<{ id: string; status?: string }>(apiPath`/admin/quarantine/${id}/replay`);
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Replay of ${cell(body?.id ?? id)} accepted (status: ${cell(body?.status)})\n`);
  },
};

interface DeadLetter {
  id: string;
  queue?: string;
  channelId?: string | null;
  firstFailedAt?: string;
  receiveCount?: number;
  reason?: string;
}

const deadLettersList: Command = {
  name: 'dead-letters list',
  usage: 'dead-letters list [--cursor <c>]',
  summary: 'deliveries that failed every retry, with the reason of the last failure',
  options: { cursor: { type: 'string' } },
  args: [],
  async run(ctx) {
    const { body } = await ctx.client.get<Page<DeadLetter>>('/admin/dead-letters', { cursor: str(ctx.values, 'cursor') });
    if (ctx.json) return printJson(ctx, body);
    if (body.items.length === 0) return ctx.out('No dead letters.\n');
    ctx.out(
      table(body.items, [
        { header: 'id', value: (d) => d.id },
        { header: 'queue', value: (d) => d.queue },
        { header: 'channel', value: (d) => d.channelId },
        { header: 'first failed', value: (d) => formatDate(d.firstFailedAt) },
        { header: 'receives', value: (d) => d.receiveCount },
        { header: 'reason', value: (d) => d.reason },
      ]),
    );
    nextPageHint(ctx, body.nextCursor, 'dead-letters list');
  },
};

const deadLettersRedrive: Command = {
  name: 'dead-letters redrive',
  usage: 'dead-letters redrive',
  summary: 'send every dead letter back to its queue for another try (after fixing the cause)',
  options: {},
  args: [],
  async run(ctx) {
    const { body } = await ctx.client.post<{ redriven: number; more?: boolean }>('/admin/dead-letters/redrive');
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Sent ${body.redriven} dead letter(s) back to their queue.\n`);
    if (body.more) ctx.out('More are left: run `huitou dead-letters redrive` again.\n');
  },
};

const exportsList: Command = {
  name: 'exports list',
  usage: 'exports list',
  summary: 'customer data exports (store data requests)',
  options: {},
  args: [],
  async run(ctx) {
    const { body } = await ctx.client.get<Page<ExportEntry>>('/admin/exports');
    if (ctx.json) return printJson(ctx, body);
    if (body.items.length === 0) return ctx.out('No exports.\n');
    const names = await channelNames(ctx);
    ctx.out(
      table(body.items, [
        { header: 'id', value: (e) => e.id },
        { header: 'channel', value: (e) => channelName(names, e.channelId) },
        { header: 'request', value: (e) => e.requestId },
        { header: 'created', value: (e) => formatDate(e.createdAt) },
      ]),
    );
  },
};

const exportsShow: Command = {
  name: 'exports show',
  usage: 'exports show <id>',
  summary: 'print one data export as JSON',
  options: {},
  args: ['id'],
  async run(ctx) {
    const [id] = ctx.args as [string];
    const { body } = await ctx.client.get(apiPath`/admin/exports/${id}`);
    printJson(ctx, body);
  },
};

export const COMMANDS: readonly Command[] = [
  keysCreate,
  keysRevoke,
  channelsAdd,
  channelsList,
  channelsRotate,
  channelsFinishRotation,
  webhooksSendTest,
  customersList,
  customersShow,
  quarantineList,
  quarantineReplay,
  deadLettersList,
  deadLettersRedrive,
  exportsList,
  exportsShow,
  ...scoringCommands,
  ...campaignCommands,
  demo,
  importCommand,
];
