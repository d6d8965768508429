// The matcher's policy: which customers a campaign should reach, and when.
// It only picks; the sender decides each send again with fresh facts and the
// guardrails. Three things start a match:
// - a customer event (a segment or stage change) meets the campaigns it triggers;
// - a run (staff, or the tick for a schedule or a days-based trigger) walks
//   every customer shard in parallel, one queue message per shard, each able to
//   hand its cursor on when its time runs short;
// - the tick, every few minutes, claims the time since the last tick and starts
//   the runs that fell due in it.
import type { Campaign } from '../domain/campaigns/campaign';
import { matchesAudience } from '../domain/campaigns/audience';
import { cronFiredBetween, dueByDays, triggeredByEvent } from '../domain/campaigns/triggers';
import type { CustomerProfile } from '../domain/customers';
import type { CustomerEvent, JobStatus, StoredScore } from './rescore';
import { audienceSubjectOf, listAudience, type SendTask } from './send-campaign';

export interface ShardCount {
  customers: number;
  queued: number;
}

export interface CampaignRunJob {
  id: string;
  kind: 'campaign-run';
  campaignId: string;
  status: JobStatus;
  trigger: 'api' | 'schedule';
  occurrence: string;
  byDays: boolean;
  createdAt: string;
  startedAt: string;
  finishedAt?: string | undefined;
  progress: { shardsTotal: number; shardsDone: number } & ShardCount;
  result?: ShardCount | undefined;
  shardsDone: string[];
  shardReports: Record<string, ShardCount>;
}

export interface RunShardTask {
  kind: 'shard';
  jobId: string;
  campaignId: string;
  occurrence: string;
  byDays?: boolean | undefined;
  shard: string;
  cursor?: string | undefined;
  customers?: number | undefined;
  queued?: number | undefined;
}

export interface MatcherPorts {
  campaigns: { active(): Promise<Campaign[]>; get(campaignId: string): Promise<Campaign | undefined> };
  customers: {
    shards: readonly string[];
    page(shard: string, cursor: string | undefined, limit: number): Promise<{ items: CustomerProfile[]; nextCursor: string | null }>;
    scoresOf(customerIds: readonly string[]): Promise<Map<string, StoredScore>>;
    one(customerId: string): Promise<{ profile: CustomerProfile; score: StoredScore | undefined } | undefined>;
  };
  jobs: {
    create(job: CampaignRunJob): Promise<void>;
    update(jobId: string, fields: Partial<Pick<CampaignRunJob, 'status' | 'progress' | 'result' | 'finishedAt'>>): Promise<void>;
    reportShard(jobId: string, shard: string, report: ShardCount): Promise<CampaignRunJob>;
  };
  queue: { sendTasks(tasks: readonly SendTask[]): Promise<void>; runShards(tasks: readonly RunShardTask[]): Promise<void> };
  /** Claims the time since the last tick (from, to]; undefined when another tick claimed it first. */
  claimTickWindow(now: Date, firstWindowMs: number): Promise<{ from: Date; to: Date } | undefined>;
  now(): Date;
  newJobId(): string;
}

/** Customers a shard page holds. */
export const runPageSize = 200;
/** A shard run hands its cursor on when less than this is left of its time. */
export const runHandOnMarginMs = 30_000;
/** How far back the very first tick looks. */
export const firstTickWindowMs = 15 * 60_000;

/** The occurrence of a send: `once` for a campaign a customer gets once, else what makes this time distinct. */
export function occurrenceFor(campaign: Pick<Campaign, 'repeatAfterDays'>, distinct: string): string {
  return campaign.repeatAfterDays === null ? 'once' : distinct;
}

/** Send tasks for the campaigns this customer event triggers, for a customer in their audience. */
export async function matchCustomerEvent(ports: MatcherPorts, event: CustomerEvent): Promise<SendTask[]> {
  const campaigns = (await ports.campaigns.active()).filter((campaign) => triggeredByEvent(campaign.trigger, event));
  if (campaigns.length === 0) return [];
  const customer = await ports.customers.one(event.customerId);
  if (!customer) return [];
  const subject = audienceSubjectOf({ profile: customer.profile, score: customer.score, skus: [] });
  const now = ports.now();
  const tasks = campaigns
    .filter((campaign) => matchesAudience(listAudience(campaign.audience), subject, now))
    .map((campaign) => ({
      campaignId: campaign.id,
      customerId: event.customerId,
      occurrence: occurrenceFor(campaign, event.id),
      triggerId: event.id,
    }));
  await ports.queue.sendTasks(tasks);
  return tasks;
}

/** Starts a run of one campaign over every customer: a job staff can poll, and one task per shard. */
export async function startRun(
  ports: MatcherPorts,
  campaign: Campaign,
  options: { trigger: 'api' | 'schedule'; occurrence: string; byDays?: boolean },
): Promise<CampaignRunJob> {
  const now = ports.now().toISOString();
  const job: CampaignRunJob = {
    id: ports.newJobId(),
    kind: 'campaign-run',
    campaignId: campaign.id,
    status: 'running',
    trigger: options.trigger,
    occurrence: options.occurrence,
    byDays: options.byDays ?? false,
    createdAt: now,
    startedAt: now,
    progress: { shardsTotal: ports.customers.shards.length, shardsDone: 0, customers: 0, queued: 0 },
    shardsDone: [],
    shardReports: {},
  };
  await ports.jobs.create(job);
  await ports.queue.runShards(
    ports.customers.shards.map((shard) => ({
      kind: 'shard',
      jobId: job.id,
      campaignId: campaign.id,
      occurrence: options.occurrence,
      byDays: options.byDays,
      shard,
    })),
  );
  return job;
}

/** Walks one shard of a run, queueing a send task for each customer in the audience. */
export async function runShard(ports: MatcherPorts, task: RunShardTask, remainingMs: () => number): Promise<void> {
  const campaign = await ports.campaigns.get(task.campaignId);
  const count: ShardCount = { customers: task.customers ?? 0, queued: task.queued ?? 0 };
  let cursor = task.cursor;
  // A campaign paused or archived mid-run stops queueing; its shards still report, so the job ends.
  if (campaign?.status === 'active') {
    do {
      const page = await ports.customers.page(task.shard, cursor, runPageSize);
      const scores = await ports.customers.scoresOf(page.items.map((profile) => profile.id));
      const now = ports.now();
      const tasks: SendTask[] = [];
      for (const profile of page.items) {
        const score = scores.get(profile.id);
        const subject = audienceSubjectOf({ profile, score, skus: [] });
        if (!matchesAudience(listAudience(campaign.audience), subject, now)) continue;
        let occurrence = occurrenceFor(campaign, task.occurrence);
        if (task.byDays) {
          if (campaign.trigger.type !== 'days_after_first_order' && campaign.trigger.type !== 'before_expected_order') continue;
          const due = dueByDays(campaign.trigger, subject, now);
          if (due === null) continue;
          occurrence = occurrenceFor(campaign, due);
        }
        tasks.push({ campaignId: campaign.id, customerId: profile.id, occurrence, triggerId: task.jobId });
      }
      await ports.queue.sendTasks(tasks);
      count.customers += page.items.length;
      count.queued += tasks.length;
      cursor = page.nextCursor ?? undefined;
      if (cursor && remainingMs() < runHandOnMarginMs) {
        await ports.queue.runShards([{ ...task, cursor, ...count }]);
        return;
      }
    } while (cursor);
  }
  const job = await ports.jobs.reportShard(task.jobId, task.shard, count);
  const reports = Object.values(job.shardReports);
  const total = reports.reduce((sum, report) => ({ customers: sum.customers + report.customers, queued: sum.queued + report.queued }), {
    customers: 0,
    queued: 0,
  });
  const done = job.shardsDone.length >= job.progress.shardsTotal;
  await ports.jobs.update(task.jobId, {
    progress: { ...job.progress, shardsDone: job.shardsDone.length, ...total },
    ...(done ? { status: 'succeeded' as const, result: total, finishedAt: ports.now().toISOString() } : {}),
  });
}

/**
 * The periodic tick: starts a run for each schedule that fired since the last
 * tick, and once a UTC day for the days-based triggers. Runs nothing when
 * another tick already claimed the window.
 */
export async function tick(ports: MatcherPorts): Promise<CampaignRunJob[]> {
  const window = await ports.claimTickWindow(ports.now(), firstTickWindowMs);
  if (!window) return [];
  const newDay = window.from.toISOString().slice(0, 10) !== window.to.toISOString().slice(0, 10);
  const started: CampaignRunJob[] = [];
  for (const campaign of await ports.campaigns.active()) {
    const { trigger } = campaign;
    if (trigger.type === 'schedule') {
      const fired = cronFiredBetween(trigger.cron, trigger.timeZone, window.from, window.to);
      if (fired) started.push(await startRun(ports, campaign, { trigger: 'schedule', occurrence: occurrenceFor(campaign, fired.toISOString()) }));
    } else if (newDay && (trigger.type === 'days_after_first_order' || trigger.type === 'before_expected_order')) {
      started.push(await startRun(ports, campaign, { trigger: 'schedule', occurrence: 'once', byDays: true }));
    }
  }
  return started;
}
