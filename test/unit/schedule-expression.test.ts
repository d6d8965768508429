import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScheduleDefinition } from '../../lib/resources';
import { functions } from '../../lib/resources';
import {
  InvalidScheduleError,
  checkTimeZone,
  nextDueTime,
  parseScheduleExpression,
  resolveSchedule,
  type ResolvedSchedule,
} from '../../lib/schedule-expression';

const daily: ScheduleDefinition = functions.rescore.schedules[0];

function schedule(expression: string, timeZone = 'UTC'): ResolvedSchedule {
  return resolveSchedule(daily, { expression, timeZone }, 'env');
}

/** The next `count` due times after `from`, in ISO form. */
function dueTimes(resolved: ResolvedSchedule, from: string, count: number, anchor = from): string[] {
  const times: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i += 1) {
    const due = nextDueTime(resolved, after, new Date(anchor));
    if (!due) break;
    times.push(due.toISOString());
    after = due;
  }
  return times;
}

describe('Schedule expressions: cron', () => {
  it('fires the definition daily at 03:00 UTC', () => {
    expect(dueTimes(schedule('cron(0 3 * * ? *)'), '2026-11-23T03:00:00Z', 2)).toEqual([
      '2026-11-24T03:00:00.000Z',
      '2026-11-25T03:00:00.000Z',
    ]);
  });

  it('fires the same day when the time is still ahead', () => {
    expect(dueTimes(schedule('cron(0 3 * * ? *)'), '2026-11-23T02:59:59Z', 1)).toEqual(['2026-11-23T03:00:00.000Z']);
  });

  it('reads the hour in the time zone, across the spring DST change', () => {
    // Europe/Berlin moves from UTC+1 to UTC+2 on 29 March 2026.
    expect(dueTimes(schedule('cron(0 4 * * ? *)', 'Europe/Berlin'), '2026-03-28T00:00:00Z', 3)).toEqual([
      '2026-03-28T03:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-30T02:00:00.000Z',
    ]);
  });

  it('skips a time that the spring DST change leaves out, as EventBridge does', () => {
    expect(dueTimes(schedule('cron(30 2 * * ? *)', 'Europe/Berlin'), '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('runs a time that the autumn DST change repeats once, as EventBridge does', () => {
    expect(dueTimes(schedule('cron(30 2 * * ? *)', 'Europe/Berlin'), '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(dueTimes(schedule('cron(0 * * * ? *)', 'Europe/Berlin'), '2026-10-24T23:30:00Z', 4)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T02:00:00.000Z', // 03:00 CET: 02:00 CET is the second 02:00 and does not run
      '2026-10-25T03:00:00.000Z',
      '2026-10-25T04:00:00.000Z',
    ]);
  });

  it('reads ? in day-of-month as any day', () => {
    // 2026-11-23 is a Monday; EventBridge day 2 is Monday.
    expect(dueTimes(schedule('cron(0 3 ? * 2 *)'), '2026-11-23T04:00:00Z', 2)).toEqual([
      '2026-11-30T03:00:00.000Z',
      '2026-12-07T03:00:00.000Z',
    ]);
  });

  it('numbers days of the week 1 (SUN) to 7 (SAT), as EventBridge does', () => {
    expect(dueTimes(schedule('cron(0 3 ? * 1 *)'), '2026-11-23T00:00:00Z', 1)).toEqual(['2026-11-29T03:00:00.000Z']);
    expect(dueTimes(schedule('cron(0 3 ? * 7 *)'), '2026-11-23T00:00:00Z', 1)).toEqual(['2026-11-28T03:00:00.000Z']);
    expect(dueTimes(schedule('cron(0 3 ? * 2-3 *)'), '2026-11-23T04:00:00Z', 1)).toEqual(['2026-11-24T03:00:00.000Z']);
    expect(dueTimes(schedule('cron(0 3 ? * MON-FRI *)'), '2026-11-27T04:00:00Z', 1)).toEqual(['2026-11-30T03:00:00.000Z']);
    // The third Friday (6#3) of December 2026.
    expect(dueTimes(schedule('cron(0 3 ? 12 6#3 *)'), '2026-11-23T00:00:00Z', 1)).toEqual(['2026-12-18T03:00:00.000Z']);
  });

  it('reads ? in day-of-week with a day of the month', () => {
    expect(dueTimes(schedule('cron(15 6 1 * ? *)'), '2026-11-23T00:00:00Z', 2)).toEqual([
      '2026-12-01T06:15:00.000Z',
      '2027-01-01T06:15:00.000Z',
    ]);
  });

  it('honours the year field', () => {
    expect(dueTimes(schedule('cron(0 3 1 1 ? 2028,2030)'), '2026-11-23T00:00:00Z', 3)).toEqual([
      '2028-01-01T03:00:00.000Z',
      '2030-01-01T03:00:00.000Z',
    ]);
    expect(dueTimes(schedule('cron(0 3 1 * ? 2026)'), '2026-11-23T00:00:00Z', 3)).toEqual(['2026-12-01T03:00:00.000Z']);
    expect(dueTimes(schedule('cron(0 3 1 1 ? 2027-2029/2)'), '2026-11-23T00:00:00Z', 3)).toEqual([
      '2027-01-01T03:00:00.000Z',
      '2029-01-01T03:00:00.000Z',
    ]);
  });

  it('starts a later year at its first minute in the time zone', () => {
    // 00:30 on 1 January in Tokyo is still the old year in UTC.
    expect(dueTimes(schedule('cron(30 0 1 1 ? 2028)', 'Asia/Tokyo'), '2026-11-23T00:00:00Z', 1)).toEqual([
      '2027-12-31T15:30:00.000Z',
    ]);
  });

  it('has no due time once its last year has passed', () => {
    expect(nextDueTime(schedule('cron(0 3 * * ? 2025)'), new Date('2026-01-01T00:00:00Z'), new Date(0))).toBeUndefined();
  });

  it('never answers a time at or before the one it is asked after', () => {
    const resolved = schedule('cron(*/7 * * * ? *)', 'America/New_York');
    fc.assert(
      fc.property(fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }), (after) => {
        const due = nextDueTime(resolved, after, after);
        expect(due!.getTime()).toBeGreaterThan(after.getTime());
        expect(due!.getTime() - after.getTime()).toBeLessThanOrEqual(2 * 3_600_000);
        expect(due!.getUTCMinutes() % 7).toBe(0);
      }),
    );
  });
});

describe('Schedule expressions: rate', () => {
  it('fires every interval after the anchor', () => {
    expect(dueTimes(schedule('rate(5 minutes)'), '2026-11-23T10:00:00Z', 2)).toEqual([
      '2026-11-23T10:05:00.000Z',
      '2026-11-23T10:10:00.000Z',
    ]);
    expect(dueTimes(schedule('rate(1 minute)'), '2026-11-23T10:00:30Z', 1, '2026-11-23T10:00:00Z')).toEqual([
      '2026-11-23T10:01:00.000Z',
    ]);
  });

  it('counts a day as 24 hours across DST, as EventBridge does', () => {
    expect(dueTimes(schedule('rate(1 day)', 'Europe/Berlin'), '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-29T12:00:00.000Z',
      '2026-03-30T12:00:00.000Z',
    ]);
    expect(dueTimes(schedule('rate(2 hours)'), '2026-11-23T10:00:00Z', 1)).toEqual(['2026-11-23T12:00:00.000Z']);
  });

  it('answers the first step after the anchor for a time before it', () => {
    const due = nextDueTime(schedule('rate(1 hour)'), new Date('2026-11-23T08:00:00Z'), new Date('2026-11-23T10:00:00Z'));
    expect(due?.toISOString()).toBe('2026-11-23T11:00:00.000Z');
  });
});

describe('Schedule expressions: invalid input', () => {
  it.each([
    ['cron(0 3 * * ?)', /6 fields, this one has 5/],
    ['cron(0 3 * * ? * *)', /6 fields, this one has 7/],
    ['cron(0 3 * * * *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(0 3 ? * ? *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(0 ? 1 * ? *)', /\? stands only in day-of-month or day-of-week/],
    ['cron(61 3 * * ? *)', /61/],
    ['cron(0 3 ? * 0 *)', /day-of-week 0 is outside 1-7/],
    ['cron(0 3 ? * 2-8 *)', /day-of-week 8 is outside 1-7/],
    ['cron(0 3 * * ? 1969)', /within 1970-2199/],
    ['cron(0 3 * * ? 2030-2029)', /within 1970-2199/],
    ['cron(0 3 * * ? soon)', /year field "soon"/],
    ['rate(0 minutes)', /positive/],
    ['rate(1 minutes)', /write rate\(1 minute\)/],
    ['rate(5 hour)', /write rate\(5 hours\)/],
    ['rate(5 weeks)', /expected cron\(/],
    ['0 3 * * ? *', /expected cron\(/],
    ['', /expected cron\(/],
  ])('refuses %j', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });

  it.each(['Mars/Olympus', '+01:00', 'UTC+1', '', 'Europe/../Berlin'])('refuses the time zone %j', (zone) => {
    expect(() => checkTimeZone(zone)).toThrow(InvalidScheduleError);
  });

  it.each(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'])('takes the time zone %j', (zone) => {
    expect(() => checkTimeZone(zone)).not.toThrow();
  });
});

describe('resolveSchedule', () => {
  it('takes the definition when nothing overrides it', () => {
    const resolved = resolveSchedule(daily, {}, 'context');
    expect(resolved).toMatchObject({ expression: daily.expression, timeZone: daily.timeZone, parsed: { kind: 'cron' } });
  });

  it('takes overrides, and treats an empty one as none', () => {
    expect(resolveSchedule(daily, { expression: 'rate(2 hours)', timeZone: 'Asia/Tokyo' }, 'env')).toMatchObject({
      expression: 'rate(2 hours)',
      timeZone: 'Asia/Tokyo',
      parsed: { kind: 'rate', everyMs: 7_200_000 },
    });
    expect(resolveSchedule(daily, { expression: '', timeZone: '' }, 'env')).toMatchObject({
      expression: daily.expression,
      timeZone: daily.timeZone,
    });
  });

  it('names the CDK context key of a bad override', () => {
    expect(() => resolveSchedule(daily, { expression: 'cron(0 3 * *)' }, 'context')).toThrow(
      'Schedule DailyRescore: expression "cron(0 3 * *)" from CDK context rescoreSchedule (-c rescoreSchedule=...) is invalid: a cron expression has 6 fields, this one has 4',
    );
    expect(() => resolveSchedule(daily, { timeZone: 'Europe/Atlantis' }, 'context')).toThrow(
      /^Schedule DailyRescore: time zone "Europe\/Atlantis" from CDK context rescoreTimeZone .* is invalid/,
    );
  });

  it('names the env variable of a bad local override', () => {
    expect(() => resolveSchedule(daily, { expression: 'every day' }, 'env')).toThrow(
      /expression "every day" from env HUITOU_RESCORE_SCHEDULE is invalid/,
    );
    expect(() => resolveSchedule(daily, { timeZone: 'CET+1' }, 'env')).toThrow(
      /time zone "CET\+1" from env HUITOU_RESCORE_TIME_ZONE is invalid/,
    );
  });

  it('names lib/resources.ts when the definition itself is bad', () => {
    const broken: ScheduleDefinition = { ...daily, expression: 'cron(0 3 * * * *)' };
    expect(() => resolveSchedule(broken, {}, 'env')).toThrow(/from lib\/resources.ts is invalid/);
  });
});
