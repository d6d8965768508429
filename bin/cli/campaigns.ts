// `huitou campaigns …`, `complaints …` and `unsubscribe`: campaigns as staff
// run them (create from a JSON file, move their status, preview, dry-run,
// run, read the stats), and the customer-care records that hold mail back.
import { readFile } from 'node:fs/promises';
import { apiPath } from './client';
import type { Command, CommandContext } from './commands';
import { printJson, str } from './commands';
import { CliError, UsageError } from './errors';
import {
  renderCampaign,
  renderCampaignList,
  renderComplaints,
  renderDryRun,
  renderPreview,
  renderStats,
  type CampaignView,
  type ComplaintView,
  type DryRunView,
  type Page,
  type PreviewView,
  type RunJobView,
  type StatsView,
} from './campaign-format';
import { followJob } from './jobs';
import { cell, formatDate } from './format';

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

function waitForRun(ctx: CommandContext, jobId: string): Promise<RunJobView> {
  return followJob<RunJobView>(ctx, jobId, 'campaign run', (job) => {
    const p = job.progress ?? {};
    return `shards, ${job.status}: ${p.customers ?? 0} customers seen, ${p.queued ?? 0} sends queued`;
  });
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
