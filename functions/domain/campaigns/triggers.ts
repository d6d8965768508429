// When a campaign's trigger fires for a customer: on a segment or stage
// change, on a cron schedule in the campaign's zone, or a number of days
// after the first order or before the expected next one. Pure: the matcher
// passes the event, the window it checks and `now`.
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { Trigger } from './campaign';
import { instantOf, wholeDays, type AudienceSubject } from './audience';
import { instantAt, isTimeZone, wallClockAt } from './zoned-time';

const dayMs = 86_400_000;
const hourMs = 3_600_000;
const minuteMs = 60_000;
/** No zone's clock runs more than 14 hours ahead of or 12 behind UTC. */
const widestOffsetMs = 14 * hourMs;

export type CustomerEventLike = { type: 'customer.segment_changed' | 'customer.stage_changed'; to: string | null };

/** Whether the event moves the customer into the segment or stage the trigger waits for. */
export function triggeredByEvent(trigger: Trigger, event: CustomerEventLike): boolean {
  switch (trigger.type) {
    case 'segment_entered':
      return event.type === 'customer.segment_changed' && event.to === trigger.segment;
    case 'stage_entered':
      return event.type === 'customer.stage_changed' && event.to === trigger.stage;
    default:
      return false;
  }
}

/** Why a schedule cannot run, or null: five cron fields and, when given, an IANA zone name. */
export function cronProblem(cron: string, timeZone?: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `a schedule has 5 fields (minute hour day-of-month month day-of-week), this one has ${fields.length}`;
  }
  // H picks a random time at each parse, so two matcher runs would disagree.
  if (fields.some((field) => field.split(',').some((item) => /^H/i.test(item)))) {
    return 'H (a random time) is not allowed in a schedule; name the time';
  }
  try {
    parse(cron);
  } catch (error) {
    return `the schedule "${cron}" is not valid cron: ${(error as Error).message}`;
  }
  if (!isTimeZone(timeZone ?? 'UTC')) {
    return `"${timeZone}" is not an IANA time zone name such as Europe/Berlin`;
  }
  return null;
}

function parse(cron: string): CronExpression {
  // Read in UTC on purpose: it matches wall-clock times, which the zone maps to instants below.
  return CronExpressionParser.parse(cron, { tz: 'UTC' });
}

/**
 * The latest time the schedule fires with from < t <= to, or null. The
 * schedule runs on the wall clock of `timeZone` (default UTC): a time that a
 * DST jump skips fires at the jump, a time that DST repeats fires on its first
 * pass only. The cron must pass cronProblem.
 */
export function cronFiredBetween(cron: string, timeZone: string | undefined, from: Date, to: Date): Date | null {
  const zone = timeZone ?? 'UTC';
  const expression = parse(cron);
  const times = expression.fields.hour.values.flatMap((hour) =>
    expression.fields.minute.values.map((minute) => (hour as number) * hourMs + (minute as number) * minuteMs),
  );
  // Instants grow with wall times, so the answer is the last firing at or
  // before `to`: walk back day by day from the wall-clock day after `to`
  // (a DST fallback at midnight shows tomorrow's times before `to`).
  const lastDay = Math.floor(wallClockAt(to, zone) / dayMs) * dayMs + dayMs;
  for (let day = lastDay; day + dayMs + widestOffsetMs > from.getTime(); day -= dayMs) {
    if (!expression.includesDate(new Date(day + times[0]!))) continue;
    const fire = lastFiringUpTo(times.map((time) => day + time), zone, to.getTime());
    if (fire) return fire.getTime() > from.getTime() ? fire : null;
  }
  return null;
}

/** The instant of the last of the ascending wall times that is at or before `to`, by bisection. */
function lastFiringUpTo(walls: readonly number[], zone: string, to: number): Date | null {
  let low = -1;
  let high = walls.length;
  let found: Date | null = null;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    const at = instantAt(walls[middle]!, zone);
    if (at.getTime() <= to) {
      low = middle;
      found = at;
    } else {
      high = middle;
    }
  }
  return found;
}

/** Days a days-based trigger stays due after its day, so a missed matcher run catches up. */
export const dayTriggerGraceDays = 3;

/**
 * The occurrence key when a days-based trigger is due for the subject, else
 * null. Days are whole UTC days of 24 hours between the instants.
 */
export function dueByDays(
  trigger: Extract<Trigger, { type: 'days_after_first_order' | 'before_expected_order' }>,
  subject: Pick<AudienceSubject, 'figures' | 'scores'>,
  now: Date,
): string | null {
  if (trigger.type === 'days_after_first_order') {
    const first = instantOf(subject.figures.firstOrderAt);
    if (first === null) return null;
    const since = wholeDays(first, now.getTime());
    return since >= trigger.days && since < trigger.days + dayTriggerGraceDays ? `first:${utcDate(first)}` : null;
  }
  const expected = instantOf(subject.scores?.nextOrderAt ?? null);
  if (expected === null) return null;
  const until = wholeDays(now.getTime(), expected);
  return until >= 0 && until <= trigger.days && until > trigger.days - dayTriggerGraceDays
    ? `expected:${utcDate(expected)}`
    : null;
}

function utcDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
