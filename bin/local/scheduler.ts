// EventBridge Scheduler on the laptop: each schedule of lib/resources.ts sends
// its message to its local queue at each due time of its expression in its
// zone, with the env overrides its settings name (HUITOU_RESCORE_SCHEDULE...).
// A due time that passes while the stack is not running is not fired later:
// EventBridge does not replay missed times either.
import { functions, type FunctionDefinition, type QueueName, type ScheduleDefinition } from '../../lib/resources';
import { nextDueTime, resolveSchedule, type ResolvedSchedule } from '../../lib/schedule-expression';
import type { Log } from './emulators';

export class UnknownScheduleError extends Error {
  constructor(id: string) {
    super(`no schedule ${id} in lib/resources.ts`);
    this.name = 'UnknownScheduleError';
  }
}

export interface LocalSchedulerOptions {
  /** Sends one message body to a queue (the local SQS). */
  send(queue: QueueName, body: string): Promise<void>;
  /** Where the overrides come from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  log?: Log;
  /** Default the real clock; tests pass their own (with fake timers). */
  now?: () => Date;
}

export interface LocalScheduler {
  /** Each schedule with its overrides applied. */
  readonly schedules: readonly ResolvedSchedule[];
  /** Sends the schedule's message now, as a due time would (tests, and trying a change by hand). */
  fire(id: string): Promise<void>;
  stop(): void;
}

// setTimeout takes at most 2^31 - 1 ms (about 24.8 days); a later due time waits in steps.
const maxTimerMs = 2 ** 31 - 1;
/** EventBridge fires within the minute of a due time; later than that counts as missed. */
const lateLimitMs = 60_000;

/** Resolves every schedule (a bad override throws InvalidScheduleError, naming the variable) and arms its timer. */
export function startLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const definitions = Object.values<FunctionDefinition>(functions).flatMap((def) => def.schedules ?? []);
  const schedules = definitions.map((definition: ScheduleDefinition) =>
    resolveSchedule(
      definition,
      { expression: env[definition.settings.expression.env], timeZone: env[definition.settings.timeZone.env] },
      'env',
    ),
  );
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const fire = async (schedule: ResolvedSchedule): Promise<void> => {
    await options.send(schedule.definition.queue, JSON.stringify(schedule.definition.message));
    log(`schedule ${schedule.definition.id} fired`);
  };

  const arm = (schedule: ResolvedSchedule, after: Date, anchor: Date): void => {
    if (stopped) return;
    const due = nextDueTime(schedule, after, anchor);
    if (!due) {
      log(`schedule ${schedule.definition.id} has no due time left`);
      return;
    }
    const wait = due.getTime() - now().getTime();
    const timer = setTimeout(() => {
      if (wait > maxTimerMs) return arm(schedule, after, anchor);
      const current = now();
      // Timers stand still while the machine sleeps: a time passed long ago is
      // missed, as one passed while the stack was stopped is.
      if (current.getTime() - due.getTime() > lateLimitMs) {
        log(`schedule ${schedule.definition.id} missed ${due.toISOString()} (the machine slept); not fired late`);
        return arm(schedule, current, anchor);
      }
      fire(schedule)
        .catch((error: unknown) => log(`schedule ${schedule.definition.id} failed: ${(error as Error).message}`))
        .finally(() => arm(schedule, due, anchor));
    }, Math.min(Math.max(wait, 0), maxTimerMs));
    // The stack's servers keep the process alive, not a schedule.
    timer.unref();
    timers.set(schedule.definition.id, timer);
  };

  const started = now();
  for (const schedule of schedules) {
    log(`schedule ${schedule.definition.id}: ${schedule.expression} in ${schedule.timeZone}`);
    arm(schedule, started, started);
  }

  return {
    schedules,
    async fire(id) {
      const schedule = schedules.find((candidate) => candidate.definition.id === id);
      if (!schedule) throw new UnknownScheduleError(id);
      await fire(schedule);
    },
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
