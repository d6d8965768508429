// Each function's environment, parsed once at module load from exactly the
// variables its definition in lib/resources.ts gives it, and no others. A
// missing variable fails the cold start loudly, naming the variable, instead
// of surfacing later as an odd SDK error.
import * as z from 'zod';
import { envNames, functions, type FunctionDefinition, type FunctionName, type QueueName } from '../../lib/resources';
import { HuitouError } from './errors';

type Definition<N extends FunctionName> = (typeof functions)[N];
type SendsTo<N extends FunctionName> = Definition<N>['sendsTo'][number];
type Redrives<N extends FunctionName> = Definition<N>['redrives'][number];

export interface FunctionConfig<N extends FunctionName> {
  readonly tableName: string;
  /** URLs of the queues this function sends to (and of those it redrives into). */
  readonly queueUrls: Readonly<Record<SendsTo<N> | Redrives<N>, string>>;
  /** URLs of the dead-letter queues this function lists and redrives. */
  readonly dlqUrls: Readonly<Record<Redrives<N>, string>>;
  /** Sender and configuration set, for a function whose definition says `email`. */
  readonly email: Definition<N> extends { readonly email: true } ? EmailSettings : undefined;
  /** The HTTP API's public base URL (no trailing slash), for a function whose definition says `publicUrl`. */
  readonly publicUrl: Definition<N> extends { readonly publicUrl: true } ? string : undefined;
}

export interface EmailSettings {
  readonly from: string;
  readonly configurationSet: string;
}

export class ConfigError extends HuitouError {}

export function functionConfig<N extends FunctionName>(name: N, env: NodeJS.ProcessEnv = process.env): FunctionConfig<N> {
  return definitionConfig(name, functions[name], env) as FunctionConfig<N>;
}

/** The config of one definition (functionConfig by name; tests pass definitions of their own). */
export function definitionConfig(
  name: string,
  definition: FunctionDefinition,
  env: NodeJS.ProcessEnv = process.env,
): FunctionConfig<FunctionName> {
  const sendsTo: readonly QueueName[] = definition.sendsTo;
  const redrives: readonly QueueName[] = definition.redrives;
  const queueNames = [...new Set([...sendsTo, ...redrives])];

  const shape: Record<string, z.ZodType<string>> = { [envNames.table]: z.string().min(1) };
  for (const queue of queueNames) shape[envNames.queueUrl(queue)] = z.url();
  for (const queue of redrives) shape[envNames.dlqUrl(queue)] = z.url();
  if (definition.email) {
    // SES takes `Name <address>` too; the address itself must be verified.
    shape[envNames.emailFrom] = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/);
    shape[envNames.sesConfigurationSet] = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
  }
  if (definition.publicUrl) shape[envNames.publicUrl] = z.url({ protocol: /^https?$/ });
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConfigError(`the ${name} function's environment is missing or invalid: ${names}`);
  }
  const values = parsed.data as Record<string, string>;
  const pick = (queues: readonly QueueName[], envName: (queue: QueueName) => string) =>
    Object.fromEntries(queues.map((queue) => [queue, values[envName(queue)]]));
  return {
    tableName: values[envNames.table] as string,
    queueUrls: pick(queueNames, envNames.queueUrl),
    dlqUrls: pick(redrives, envNames.dlqUrl),
    email: definition.email
      ? { from: values[envNames.emailFrom] as string, configurationSet: values[envNames.sesConfigurationSet] as string }
      : undefined,
    publicUrl: definition.publicUrl ? (values[envNames.publicUrl] as string).replace(/\/+$/, '') : undefined,
  } as FunctionConfig<FunctionName>;
}
