// Scoring: start a rescore and follow its job, read the model, its backtest
// and the segments.
import { rescorePorts } from '../../adapters/rescore-ports';
import { modelBacktest } from '../../app/model-backtest';
import { requestRescore, type Job } from '../../app/rescore';
import { NotFoundError } from '../../shared/errors';
import { json } from '../../shared/http';
import * as z from 'zod';
import { parseBody, query, type RouteTable, type ServedRouteKey } from './router';

const rescoreBody = z.object({ asOf: z.string().max(10).optional() }).strict();

/** A job as staff see it (ARCHITECTURE.md): the shards' inner bookkeeping stays inside. */
function jobView(job: Job) {
  const { shardsDone: _done, shardReports: _reports, ...view } = job;
  return { ...view, result: job.result ?? null };
}

export function scoringRoutes({ tableName, rescoreQueueUrl }: { tableName: string; rescoreQueueUrl: string }) {
  const ports = rescorePorts(tableName, { rescore: rescoreQueueUrl });
  return {
    'POST /admin/rescore': {
      right: 'rescore',
      run: async ({ event }) => {
        const job = await requestRescore(ports, parseBody(rescoreBody, event));
        return json(202, { jobId: job.id, job: jobView(job) });
      },
    },
    'GET /admin/jobs/{jobId}': {
      right: 'read',
      ids: { jobId: 'job' },
      run: async ({ params: { jobId } }) => {
        const job = await ports.jobs.get(jobId);
        if (!job) throw new NotFoundError(`no job ${jobId}`);
        return json(200, jobView(job));
      },
    },
    'GET /admin/model': {
      right: 'read',
      run: async () => {
        const model = await ports.models.get();
        if (!model) throw new NotFoundError('no model yet: run a rescore (huitou rescore --wait)');
        const { store } = model;
        return json(200, {
          asOf: model.asOf,
          timeUnit: store.timeUnit,
          customers: store.customers,
          sufficient: store.sufficient,
          reason: store.reason ?? null,
          fittedOn: store.fittedOn,
          sampled: model.sampled,
          fittedAt: model.fittedAt,
          jobId: model.jobId,
          bgnbd: store.bgnbd,
          gammaGamma: store.gammaGamma,
          rfm: model.rfm,
        });
      },
    },
    'GET /admin/model/backtest': {
      right: 'read',
      run: async ({ event }) =>
        json(200, await modelBacktest(ports, { calibrationEnd: query(event, 'calibrationEnd'), holdoutEnd: query(event, 'holdoutEnd') })),
    },
    'GET /admin/segments': {
      right: 'read',
      run: async () => {
        const model = await ports.models.get();
        return json(200, { asOf: model?.asOf ?? null, items: model?.segments ?? [] });
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
