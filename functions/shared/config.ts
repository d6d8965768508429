// Environment, parsed once per cold start. A missing variable fails the first
// invocation loudly instead of surfacing later as an odd SDK error.
import * as z from 'zod';
import { queues, tableNameEnv } from '../../lib/resources';

const configSchema = z.object({
  tableName: z.string().min(1),
  ingestQueueUrl: z.string().url(),
});

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

export function config(env: NodeJS.ProcessEnv = process.env): Config {
  if (cached && env === process.env) return cached;
  const parsed = configSchema.safeParse({
    tableName: env[tableNameEnv],
    ingestQueueUrl: env[queues.ingest.urlEnv],
  });
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`huitou configuration is incomplete or invalid: ${names}`);
  }
  if (env === process.env) cached = parsed.data;
  return parsed.data;
}
