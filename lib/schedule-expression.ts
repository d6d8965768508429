// EventBridge Scheduler expressions, read the way EventBridge reads them: the
// CDK stack validates a schedule with this at synth time and the local stack
// fires it with this, so an expression that would not run on AWS fails before
// deploy, and the laptop fires at the times AWS would. No CDK import: the
// local stack loads it too.
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { ScheduleDefinition } from './resources';

/** A schedule setting that EventBridge Scheduler would refuse, with the setting it came from. */
export class InvalidScheduleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidScheduleError';
  }
}

export type ParsedExpression =
  | { readonly kind: 'rate'; readonly everyMs: number }
  | {
      readonly kind: 'cron';
      /** The five fields before the year, in cron-parser's form (seconds first, Sunday 0). */
      readonly fields: string;
      /** Years it may fire in; undefined for `*`. */
      readonly years: ReadonlySet<number> | undefined;
    };

/** A schedule with its overrides applied and checked. */
export interface ResolvedSchedule {
  readonly definition: ScheduleDefinition;
  readonly expression: string;
  readonly timeZone: string;
  readonly parsed: ParsedExpression;
}

const rateUnits: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

// EventBridge accepts years 1970 to 2199.
const firstYear = 1970;
const lastYear = 2199;

/** Reads `rate(n unit)` or `cron(min hour day-of-month month day-of-week year)`; throws InvalidScheduleError. */
export function parseScheduleExpression(expression: string): ParsedExpression {
  const rate = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) throw new InvalidScheduleError('a rate must be a positive whole number');
    // EventBridge's own rule: rate(1 hour), rate(2 hours).
    if ((value === 1) !== (rate[3] === '')) {
      throw new InvalidScheduleError(`write rate(${value} ${rate[2]}${value === 1 ? '' : 's'})`);
    }
    return { kind: 'rate', everyMs: value * (rateUnits[rate[2] ?? ''] ?? 0) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) {
    throw new InvalidScheduleError(
      'expected cron(minutes hours day-of-month month day-of-week year) or rate(n minute[s]|hour[s]|day[s])',
    );
  }
  const parts = (cron[1] ?? '').trim().split(/\s+/);
  if (parts.length !== 6) throw new InvalidScheduleError(`a cron expression has 6 fields, this one has ${parts.length}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string];
  // EventBridge runs on the day-of-month or the day-of-week, never both.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new InvalidScheduleError('exactly one of day-of-month and day-of-week must be ?');
  }
  if ([minute, hour, month, year].some((field) => field.includes('?'))) {
    throw new InvalidScheduleError('? stands only in day-of-month or day-of-week');
  }
  const fields = ['0', minute, hour, wildcard(dayOfMonth), month, wildcard(shiftWeekdays(dayOfWeek))].join(' ');
  try {
    CronExpressionParser.parse(fields, { tz: 'UTC' });
  } catch (error) {
    throw new InvalidScheduleError((error as Error).message, { cause: error });
  }
  return { kind: 'cron', fields, years: year === '*' ? undefined : parseYears(year) };
}

function wildcard(field: string): string {
  return field === '?' ? '*' : field;
}

/** EventBridge numbers days 1 (SUN) to 7 (SAT), cron-parser 0 to 6. */
function shiftWeekdays(field: string): string {
  const shift = (day: string): string => {
    const n = Number(day);
    if (n < 1 || n > 7) throw new InvalidScheduleError(`day-of-week ${day} is outside 1-7 (SUN-SAT)`);
    return String(n - 1);
  };
  return field
    .split(',')
    .map((item) => item.replace(/^(\d+)(?:-(\d+))?/, (_all, from: string, to?: string) => (to ? `${shift(from)}-${shift(to)}` : shift(from))))
    .join(',');
}

function parseYears(field: string): Set<number> {
  const years = new Set<number>();
  for (const item of field.split(',')) {
    const match = /^(\*|(\d{4})(?:-(\d{4}))?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new InvalidScheduleError(`year field "${field}" is not * or years, ranges and steps`);
    const from = match[2] ? Number(match[2]) : firstYear;
    // A lone year with a step runs to the end, as `2030/2` does in EventBridge.
    const to = match[3] ? Number(match[3]) : match[2] && !match[4] ? from : lastYear;
    const step = match[4] ? Number(match[4]) : 1;
    if (from < firstYear || to > lastYear || from > to || step < 1) {
      throw new InvalidScheduleError(`year field "${field}" must stay within ${firstYear}-${lastYear}`);
    }
    for (let y = from; y <= to; y += step) years.add(y);
  }
  return years;
}

/** Throws InvalidScheduleError unless `timeZone` is an IANA zone name this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  // Offsets such as +01:00 pass Intl but not EventBridge, which wants a name.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) {
    throw new InvalidScheduleError(`"${timeZone}" is not an IANA time zone name such as Europe/Berlin`);
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch (error) {
    throw new InvalidScheduleError(`"${timeZone}" is not a known IANA time zone`, { cause: error });
  }
}

export interface ScheduleOverrides {
  readonly expression?: string | undefined;
  readonly timeZone?: string | undefined;
}

/**
 * The definition with its overrides (CDK context or env, named by `source` in
 * errors), checked. An empty override counts as none.
 */
export function resolveSchedule(
  definition: ScheduleDefinition,
  overrides: ScheduleOverrides,
  source: 'context' | 'env',
): ResolvedSchedule {
  const setting = (name: 'expression' | 'timeZone'): string => {
    const key = definition.settings[name][source];
    return source === 'context' ? `CDK context ${key} (-c ${key}=...)` : `env ${key}`;
  };
  const expression = overrides.expression || definition.expression;
  const timeZone = overrides.timeZone || definition.timeZone;
  const fail = (name: 'expression' | 'timeZone', value: string, error: unknown): never => {
    const from = overrides[name] ? setting(name) : `lib/resources.ts`;
    throw new InvalidScheduleError(
      `Schedule ${definition.id}: ${name === 'expression' ? 'expression' : 'time zone'} "${value}" from ${from} is invalid: ${(error as Error).message}`,
      { cause: error },
    );
  };
  let parsed: ParsedExpression;
  try {
    parsed = parseScheduleExpression(expression);
  } catch (error) {
    return fail('expression', expression, error);
  }
  try {
    checkTimeZone(timeZone);
  } catch (error) {
    return fail('timeZone', timeZone, error);
  }
  return { definition, expression, timeZone, parsed };
}

/**
 * The first due time strictly after `after`, or undefined when there is none
 * (its last year has passed). A rate counts from `anchor` in fixed steps (a
 * day is 24 hours across DST, as on EventBridge). A cron time that DST skips
 * does not run, and one that DST repeats runs once, as on EventBridge.
 */
export function nextDueTime(schedule: ResolvedSchedule, after: Date, anchor: Date): Date | undefined {
  const { parsed, timeZone } = schedule;
  if (parsed.kind === 'rate') {
    const steps = Math.floor((after.getTime() - anchor.getTime()) / parsed.everyMs) + 1;
    return new Date(anchor.getTime() + Math.max(steps, 1) * parsed.everyMs);
  }
  let cron = CronExpressionParser.parse(parsed.fields, { tz: timeZone, currentDate: after });
  const wallClock = wallClockIn(timeZone);
  const hours = new Set<number>(cron.fields.hour.values as number[]);
  const minutes = new Set<number>(cron.fields.minute.values as number[]);
  // Bounded: a year with no firing at all moves on to the next allowed year.
  for (let guard = 0; guard < 10_000; guard += 1) {
    const due = cron.next().toDate();
    const local = wallClock(due);
    if (parsed.years && !parsed.years.has(local.year)) {
      const nextYear = [...parsed.years].filter((y) => y > local.year).sort((a, b) => a - b)[0];
      if (nextYear === undefined) return undefined;
      cron = restartAt(parsed.fields, timeZone, nextYear);
      continue;
    }
    const skippedByDst = !hours.has(local.hour) || !minutes.has(local.minute);
    if (skippedByDst || isRepeatedWallClock(due, wallClock)) continue;
    return due;
  }
  return undefined;
}

/** The expression's iterator from the first instant of `year` in the zone. */
function restartAt(fields: string, timeZone: string, year: number): CronExpression {
  const newYear = CronExpressionParser.parse('0 0 0 1 1 *', { tz: timeZone, currentDate: new Date(Date.UTC(year - 1, 11, 30)) })
    .next()
    .toDate();
  return CronExpressionParser.parse(fields, { tz: timeZone, currentDate: new Date(newYear.getTime() - 1) });
}

interface WallClock {
  readonly year: number;
  readonly hour: number;
  readonly minute: number;
  readonly text: string;
}

function wallClockIn(timeZone: string): (at: Date) => WallClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (at) => {
    const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
    return {
      year: Number(parts.year),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      text: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`,
    };
  };
}

/** True for the second pass through a wall-clock time that DST set back (by 30, 60 or 120 minutes). */
function isRepeatedWallClock(at: Date, wallClock: (at: Date) => WallClock): boolean {
  const text = wallClock(at).text;
  return [30, 60, 120].some((minutes) => wallClock(new Date(at.getTime() - minutes * 60_000)).text === text);
}
