// `--wait` on a job (a rescore, a campaign run): poll GET /admin/jobs/{id}
// with a progress bar until the job has ended.
import { setTimeout as sleep } from 'node:timers/promises';
import { apiPath } from './client';
import type { CommandContext } from './commands';
import { progressBar } from './progress';

export interface JobStatusView {
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress?: { shardsDone?: number; shardsTotal?: number } | undefined;
}

/** How often --wait asks for the job. */
const pollMs = 1000;

/** Polls the job until it succeeded or failed; `describe` says the bar's text from the job and the seconds so far. */
export async function followJob<J extends JobStatusView>(
  ctx: CommandContext,
  jobId: string,
  label: string,
  describe: (job: J, seconds: number) => string,
): Promise<J> {
  const bar = progressBar(ctx, label);
  const started = Date.now();
  for (;;) {
    const { body: job } = await ctx.client.get<J>(apiPath`/admin/jobs/${jobId}`);
    bar.update(job.progress?.shardsDone ?? 0, job.progress?.shardsTotal, describe(job, (Date.now() - started) / 1000));
    if (job.status === 'succeeded' || job.status === 'failed') {
      bar.finish();
      return job;
    }
    await sleep(pollMs);
  }
}
