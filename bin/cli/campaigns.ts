// `huitou campaigns …`, `complaints …` and `unsubscribe`: campaigns as staff
// run them (create from a JSON file, move their status, preview, dry-run,
// run, read the stats), and the customer-care records that hold mail back.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiPath } from './client';
import type { Command, CommandContext } from './commands';
import { printJson, str } from './commands';
import { CliError, UsageError } from './errors';
import { cell, formatDate, formatMoney, keyValues, table } from './format';
import { progressBar } from './progress';

// ---- API shapes (the names the CLI reads; the API may send more) ----

export interface CampaignView {
  id: string;
  name?: string;
  status?: string;
  trigger?: { type?: string; [detail: string]: unknown };
  audience?: Record<string, unknown>;
  message?: { template?: string; subject?: string };
  coupon?: { kind?: string; value?: number; expiresInDays?: number; minSubtotalMinor?: number } | null;
  holdoutPercent?: number;
  quietHours?: { start?: string; end?: string; timeZone?: string } | null;
  repeatAfterDays?: number | null;
  createdAt?: string;
  updatedAt?: string;
  rev?: number;
}

export interface PreviewView {
  to?: string;
  subject?: string;
  html?: string;
  text?: string;
}

export interface DryRunView {
  audience?: number;
  wouldSend?: number;
  dropped?: Record<string, number>;
}

export interface StatsView {
  sent?: number;
  holdout?: number;
  suppressed?: Record<string, number>;
  delivered?: number;
  bounced?: number;
  unsubscribed?: number;
  redeemed?: number;
  revenueMinor?: number;
  /** The store's currency, where the API knows it. */
  currency?: string | null;
  conversion?: { treated?: number | null; holdout?: number | null; uplift?: number | null; ci?: [number, number] | number[] | null };
}

interface RunJobView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress?: { processed?: number; total?: number; sent?: number; dropped?: number };
  result?: Record<string, unknown> | null;
  error?: string;
}

export interface ComplaintView {
  id: string;
  customerId?: string;
  status?: string;
  note?: string;
  createdAt?: string;
  resolvedAt?: string | null;
}

interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

// ---- human output ----

const percent = (share: number | null | undefined) => (typeof share === 'number' ? `${(share * 100).toFixed(1)}%` : '-');

/** `segment_entered at_risk`, `schedule 0 9 * * 1 (Europe/Paris)`: the trigger in one cell. */
export function describeTrigger(trigger: CampaignView['trigger']): string {
  if (!trigger?.type) return '-';
  const { type, ...details } = trigger;
  const { timeZone, ...rest } = details;
  const values = Object.values(rest).map((value) => cell(value));
  return [type, ...values].join(' ') + (timeZone ? ` (${cell(timeZone)})` : '');
}

export function describeCoupon(coupon: CampaignView['coupon']): string {
  if (!coupon) return 'none';
  const amount = coupon.kind === 'percent' ? `${cell(coupon.value)}% off` : `${cell(coupon.value)} off`;
  const minimum = coupon.minSubtotalMinor ? `, from ${coupon.minSubtotalMinor} minor units` : '';
  return `${amount}, valid ${cell(coupon.expiresInDays)} days${minimum}`;
}

function describeMessage(message: CampaignView['message']): string {
  if (message?.template) return `template ${cell(message.template)}`;
  return message?.subject ? `custom: "${cell(message.subject)}"` : '-';
}

function describeAudience(audience: CampaignView['audience']): string {
  const parts = Object.entries(audience ?? {}).map(([name, value]) => `${name}=${Array.isArray(value) ? value.map(cell).join(',') : cell(value)}`);
  return parts.length ? parts.join(' ') : 'every customer';
}

export function renderCampaignList(items: readonly CampaignView[]): string {
  if (items.length === 0) return 'No campaigns yet. Create one with `huitou campaigns create --file campaign.json`.\n';
  return table(items, [
    { header: 'id', value: (c) => c.id },
    { header: 'name', value: (c) => c.name },
    { header: 'status', value: (c) => c.status },
    { header: 'trigger', value: (c) => describeTrigger(c.trigger) },
    { header: 'message', value: (c) => describeMessage(c.message) },
    { header: 'holdout', value: (c) => (c.holdoutPercent === undefined ? '-' : `${c.holdoutPercent}%`), align: 'right' },
    { header: 'created', value: (c) => formatDate(c.createdAt, { dateOnly: true }) },
  ]);
}

export function renderCampaign(c: CampaignView): string {
  const quiet = c.quietHours ? `${cell(c.quietHours.start)}-${cell(c.quietHours.end)}${c.quietHours.timeZone ? ` ${cell(c.quietHours.timeZone)}` : ''}` : 'none';
  return `${cell(c.name)} (${cell(c.id)})\n` +
    keyValues(
      [
        ['status', c.status],
        ['trigger', describeTrigger(c.trigger)],
        ['audience', describeAudience(c.audience)],
        ['message', describeMessage(c.message)],
        ['coupon', describeCoupon(c.coupon)],
        ['holdout', c.holdoutPercent === undefined ? undefined : `${c.holdoutPercent}%`],
        ['quiet hours', quiet],
        ['repeat', c.repeatAfterDays ? `after ${c.repeatAfterDays} days` : 'never: once per customer'],
        ['created', formatDate(c.createdAt)],
        ['updated', formatDate(c.updatedAt)],
        ['revision', c.rev],
      ],
      '  ',
    );
}

/** Counts by reason, largest first: `frequency_cap 12, no_consent 3`. */
function byReason(counts: Record<string, number> | undefined): string {
  const entries = Object.entries(counts ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length ? entries.map(([reason, n]) => `${reason} ${n}`).join(', ') : 'none';
}

export function renderPreview(p: PreviewView): string {
  return `${keyValues([['to', p.to], ['subject', p.subject]])}\n${p.text ?? ''}${p.text?.endsWith('\n') ? '' : '\n'}`;
}

export function renderDryRun(d: DryRunView): string {
  return keyValues([
    ['audience', d.audience],
    ['would send', d.wouldSend],
    ['dropped', byReason(d.dropped)],
  ]);
}

export function renderStats(s: StatsView): string {
  const c = s.conversion ?? {};
  const ci = Array.isArray(c.ci) && c.ci.length === 2 ? ` (95% CI ${percent(c.ci[0])} to ${percent(c.ci[1])})` : '';
  return keyValues([
    ['sent', s.sent],
    ['holdout', s.holdout],
    ['suppressed', byReason(s.suppressed)],
    ['delivered', s.delivered],
    ['bounced', s.bounced],
    ['unsubscribed', s.unsubscribed],
    ['redeemed', s.redeemed],
    ['revenue', formatMoney(s.revenueMinor, s.currency)],
    ['conversion, sent', percent(c.treated)],
    ['conversion, holdout', percent(c.holdout)],
    ['uplift', `${percent(c.uplift)}${ci}`],
  ]);
}

export function renderComplaints(items: readonly ComplaintView[]): string {
  if (items.length === 0) return 'No complaints.\n';
  return table(items, [
    { header: 'id', value: (c) => c.id },
    { header: 'status', value: (c) => c.status },
    { header: 'logged', value: (c) => formatDate(c.createdAt) },
    { header: 'resolved', value: (c) => formatDate(c.resolvedAt) },
    { header: 'note', value: (c) => c.note },
  ]);
}

// ---- commands ----

async function jsonFile(command: Command, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --file ${path}: ${(error as Error).message}`, command.usage);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--file ${path} is not JSON`, command.usage);
  }
}

const campaignsList: Command = {
  name: 'campaigns list',
  usage: 'campaigns list [--status draft|active|paused|archived] [--cursor <c>]',
  summary: 'campaigns, newest first',
  options: { status: { type: 'string' }, cursor: { type: 'string' } },
  args: [],
  async run(ctx) {
    const { body } = await ctx.client.get<Page<CampaignView>>('/admin/campaigns', {
      status: str(ctx.values, 'status'),
      cursor: str(ctx.values, 'cursor'),
    });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(renderCampaignList(body.items));
    if (body.nextCursor) ctx.out(`\nmore: huitou campaigns list --cursor ${body.nextCursor}\n`);
  },
};

const campaignsShow: Command = {
  name: 'campaigns show',
  usage: 'campaigns show <id>',
  summary: 'one campaign: trigger, audience, message, coupon and guardrails',
  options: {},
  args: ['id'],
  async run(ctx) {
    const { body } = await ctx.client.get<CampaignView>(apiPath`/admin/campaigns/${ctx.args[0]!}`);
    if (ctx.json) return printJson(ctx, body);
    ctx.out(renderCampaign(body));
  },
};

const campaignsCreate: Command = {
  name: 'campaigns create',
  usage: 'campaigns create --file <campaign.json>',
  summary: 'create a campaign from a JSON file (a draft unless it says "status": "active")',
  options: { file: { type: 'string' } },
  args: [],
  required: ['file'],
  async run(ctx) {
    const { body } = await ctx.client.post<CampaignView>('/admin/campaigns', await jsonFile(campaignsCreate, str(ctx.values, 'file')!));
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Campaign created: ${cell(body.id)} (${cell(body.status)})\n`);
  },
};

const campaignsUpdate: Command = {
  name: 'campaigns update',
  usage: 'campaigns update <id> --file <patch.json>',
  summary: 'change the fields a JSON file names; the others stay',
  options: { file: { type: 'string' } },
  args: ['id'],
  required: ['file'],
  async run(ctx) {
    const patch = await jsonFile(campaignsUpdate, str(ctx.values, 'file')!);
    const { body } = await ctx.client.patch<CampaignView>(apiPath`/admin/campaigns/${ctx.args[0]!}`, patch);
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Campaign ${cell(body.id)} updated (revision ${cell(body.rev)}).\n`);
  },
};

/** activate, pause, archive: one status move each. */
function statusCommand(action: string, status: string, summary: string): Command {
  const command: Command = {
    name: `campaigns ${action}`,
    usage: `campaigns ${action} <id>`,
    summary,
    options: {},
    args: ['id'],
    async run(ctx) {
      const { body } = await ctx.client.patch<CampaignView>(apiPath`/admin/campaigns/${ctx.args[0]!}`, { status });
      if (ctx.json) return printJson(ctx, body);
      ctx.out(`Campaign ${cell(body.id)} is ${cell(body.status)}.\n`);
    },
  };
  return command;
}

const campaignsPreview: Command = {
  name: 'campaigns preview',
  usage: 'campaigns preview <id> --customer <customer id>',
  summary: "render the campaign's email for one customer (sends nothing)",
  options: { customer: { type: 'string' } },
  args: ['id'],
  required: ['customer'],
  async run(ctx) {
    const { body } = await ctx.client.post<PreviewView>(apiPath`/admin/campaigns/${ctx.args[0]!}/preview`, {
      customerId: str(ctx.values, 'customer'),
    });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(renderPreview(body));
  },
};

const campaignsDryRun: Command = {
  name: 'campaigns dry-run',
  usage: 'campaigns dry-run <id>',
  summary: 'who the campaign would reach now, and why the others drop out (sends nothing)',
  options: {},
  args: ['id'],
  async run(ctx) {
    const { body } = await ctx.client.post<DryRunView>(apiPath`/admin/campaigns/${ctx.args[0]!}/dry-run`);
    if (ctx.json) return printJson(ctx, body);
    ctx.out(renderDryRun(body));
  },
};

/** How often --wait asks for the job. */
const pollMs = 1000;

async function waitForRun(ctx: CommandContext, jobId: string): Promise<RunJobView> {
  const bar = progressBar(ctx, 'campaign run');
  for (;;) {
    const { body: job } = await ctx.client.get<RunJobView>(apiPath`/admin/jobs/${jobId}`);
    const p = job.progress ?? {};
    bar.update(p.processed ?? 0, p.total, `${job.status} ${p.sent ?? 0} sent ${p.dropped ?? 0} dropped`);
    if (job.status === 'succeeded' || job.status === 'failed') {
      bar.finish();
      return job;
    }
    await sleep(pollMs);
  }
}

const campaignsRun: Command = {
  name: 'campaigns run',
  usage: 'campaigns run <id> [--wait]',
  summary: 'send the campaign to its audience now; --wait follows the job to the end',
  options: { wait: { type: 'boolean' } },
  args: ['id'],
  async run(ctx) {
    const id = ctx.args[0]!;
    const { body } = await ctx.client.post<{ jobId: string }>(apiPath`/admin/campaigns/${id}/run`);
    if (ctx.values.wait !== true) {
      if (ctx.json) return printJson(ctx, body);
      return ctx.out(`Campaign run started: job ${cell(body.jobId)}. Follow it with GET /admin/jobs/${cell(body.jobId)}, then: huitou campaigns stats ${id}\n`);
    }
    const job = await waitForRun(ctx, body.jobId);
    if (ctx.json) printJson(ctx, job);
    else if (job.status === 'succeeded') ctx.out(`Campaign run ${cell(job.id)} done. See: huitou campaigns stats ${id}\n`);
    if (job.status === 'failed') throw new CliError(`campaign run ${job.id} failed: ${job.error ?? 'no reason given'}`);
  },
};

const campaignsStats: Command = {
  name: 'campaigns stats',
  usage: 'campaigns stats <id>',
  summary: 'sent, holdout, drops by reason, deliveries, redemptions, revenue and measured uplift',
  options: {},
  args: ['id'],
  async run(ctx) {
    const { body } = await ctx.client.get<StatsView>(apiPath`/admin/campaigns/${ctx.args[0]!}/stats`);
    if (ctx.json) return printJson(ctx, body);
    ctx.out(renderStats(body));
  },
};

const complaintsAdd: Command = {
  name: 'complaints add',
  usage: 'complaints add <customer id> --note <text>',
  summary: 'log a complaint: no promotion reaches the customer while it is open',
  options: { note: { type: 'string' } },
  args: ['customer id'],
  required: ['note'],
  async run(ctx) {
    const { body } = await ctx.client.post<ComplaintView>(apiPath`/admin/customers/${ctx.args[0]!}/complaints`, {
      note: str(ctx.values, 'note'),
    });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Complaint ${cell(body.id)} logged (open). Resolve it with: huitou complaints resolve ${ctx.args[0]!} ${cell(body.id)}\n`);
  },
};

const complaintsList: Command = {
  name: 'complaints list',
  usage: 'complaints list <customer id>',
  summary: "a customer's complaints, open and resolved",
  options: {},
  args: ['customer id'],
  async run(ctx) {
    const { body } = await ctx.client.get<Page<ComplaintView>>(apiPath`/admin/customers/${ctx.args[0]!}/complaints`);
    if (ctx.json) return printJson(ctx, body);
    ctx.out(renderComplaints(body.items));
  },
};

const complaintsResolve: Command = {
  name: 'complaints resolve',
  usage: 'complaints resolve <customer id> <complaint id>',
  summary: 'mark a complaint resolved: promotions may reach the customer again',
  options: {},
  args: ['customer id', 'complaint id'],
  async run(ctx) {
    const [customerId, complaintId] = ctx.args as [string, string];
    const { body } = await ctx.client.patch<ComplaintView>(apiPath`/admin/customers/${customerId}/complaints/${complaintId}`, {
      status: 'resolved',
    });
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Complaint ${cell(body.id)} resolved ${formatDate(body.resolvedAt)}.\n`);
  },
};

const unsubscribe: Command = {
  name: 'unsubscribe',
  usage: 'unsubscribe <customer id>',
  summary: 'record that a customer asked for no more marketing mail (consent and suppression)',
  options: {},
  args: ['customer id'],
  async run(ctx) {
    const { body } = await ctx.client.post<{ id: string; consent?: { email?: string } }>(
      apiPath`/admin/customers/${ctx.args[0]!}/unsubscribe`,
    );
    if (ctx.json) return printJson(ctx, body);
    ctx.out(`Customer ${cell(body.id)} is ${cell(body.consent?.email)}: no marketing mail reaches them.\n`);
  },
};

export const campaignCommands: readonly Command[] = [
  campaignsList,
  campaignsShow,
  campaignsCreate,
  campaignsUpdate,
  statusCommand('activate', 'active', 'start a campaign (or resume a paused one)'),
  statusCommand('pause', 'paused', 'stop a campaign from sending until it is activated again'),
  statusCommand('archive', 'archived', 'retire a campaign for good; its stats stay'),
  campaignsPreview,
  campaignsDryRun,
  campaignsRun,
  campaignsStats,
  complaintsAdd,
  complaintsList,
  complaintsResolve,
  unsubscribe,
];
