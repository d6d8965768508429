// Human output of the campaign commands (bin/cli/campaigns.ts): campaigns,
// previews, dry runs, stats and complaints as staff read them.
import { cell, formatDate, formatMoney, keyValues, table } from './format';

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

export interface RunJobView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  /** A run walks every customer shard and queues a send for each customer in the audience; the sender decides each. */
  progress?: { shardsDone?: number; shardsTotal?: number; customers?: number; queued?: number };
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

export interface Page<T> {
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
