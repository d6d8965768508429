// When a campaign fires: events, cron schedules on a zone's wall clock (DST
// included), and days after the first order or before the expected one.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CronExpressionParser } from 'cron-parser';
import {
  cronFiredBetween,
  cronProblem,
  dayTriggerGraceDays,
  dueByDays,
  triggeredByEvent,
} from '../../functions/domain/campaigns/triggers';
import { wallClockAt } from '../../functions/domain/campaigns/zoned-time';
import type { AudienceSubject } from '../../functions/domain/campaigns/audience';

const at = (iso: string) => new Date(iso);
const minuteMs = 60_000;

describe('Function: triggeredByEvent', () => {
  it('fires a segment trigger when the customer enters that segment', () => {
    const trigger = { type: 'segment_entered', segment: 'at_risk' } as const;

    expect(triggeredByEvent(trigger, { type: 'customer.segment_changed', to: 'at_risk' })).toBe(true);
    expect(triggeredByEvent(trigger, { type: 'customer.segment_changed', to: 'lost' })).toBe(false);
    expect(triggeredByEvent(trigger, { type: 'customer.segment_changed', to: null })).toBe(false);
    expect(triggeredByEvent(trigger, { type: 'customer.stage_changed', to: 'at_risk' })).toBe(false);
  });

  it('fires a stage trigger when the customer enters that stage', () => {
    const trigger = { type: 'stage_entered', stage: 'first_time' } as const;

    expect(triggeredByEvent(trigger, { type: 'customer.stage_changed', to: 'first_time' })).toBe(true);
    expect(triggeredByEvent(trigger, { type: 'customer.stage_changed', to: 'repeat' })).toBe(false);
    expect(triggeredByEvent(trigger, { type: 'customer.segment_changed', to: 'first_time' })).toBe(false);
  });

  it('never fires the other triggers from an event', () => {
    const event = { type: 'customer.segment_changed', to: 'at_risk' } as const;

    expect(triggeredByEvent({ type: 'manual' }, event)).toBe(false);
    expect(triggeredByEvent({ type: 'schedule', cron: '0 9 * * *' }, event)).toBe(false);
    expect(triggeredByEvent({ type: 'days_after_first_order', days: 30 }, event)).toBe(false);
  });
});

describe('Function: cronProblem', () => {
  it('accepts five cron fields with names, ranges, steps, L and #, and a zone name', () => {
    expect(cronProblem('0 9 * * *')).toBeNull();
    expect(cronProblem('  */15 8-18 * JAN-MAR MON-THU ')).toBeNull();
    expect(cronProblem('0  9\t* * *')).toBeNull();
    expect(cronProblem('0 9 L * *', 'Europe/Berlin')).toBeNull();
    expect(cronProblem('0 9 * * 1#1', 'America/Argentina/Buenos_Aires')).toBeNull();
  });

  it('names the field count when there are not five', () => {
    expect(cronProblem('0 0 9 * * *')).toBe('a schedule has 5 fields (minute hour day-of-month month day-of-week), this one has 6');
    expect(cronProblem('@daily')).toMatch(/this one has 1$/);
    expect(cronProblem('')).toMatch(/this one has 1$/);
  });

  it('refuses H, a random time that would differ between runs', () => {
    expect(cronProblem('H 9 * * *')).toBe('H (a random time) is not allowed in a schedule; name the time');
    expect(cronProblem('0 9 * * 1,h')).toMatch(/^H /);
    expect(cronProblem('0 9 * * SAT,THU')).toBeNull();
  });

  it('passes on what cron-parser finds wrong', () => {
    expect(cronProblem('61 9 * * *')).toBe('the schedule "61 9 * * *" is not valid cron: Constraint error, got value 61 expected range 0-59');
    expect(cronProblem('0 0 30 2 *')).toMatch(/^the schedule "0 0 30 2 \*" is not valid cron: /);
    expect(cronProblem('a b c d e')).toMatch(/not valid cron/);
  });

  it('refuses a zone this runtime does not know, and offsets', () => {
    expect(cronProblem('0 9 * * *', 'Mars/Olympus')).toBe('"Mars/Olympus" is not an IANA time zone name such as Europe/Berlin');
    expect(cronProblem('0 9 * * *', '+01:00')).toMatch(/not an IANA time zone/);
    expect(cronProblem('0 9 * * *', 'Europe/Berlin ')).toMatch(/not an IANA time zone/);
    expect(cronProblem('0 9 * * *', '')).toMatch(/not an IANA time zone/);
  });
});

describe('Function: cronFiredBetween', () => {
  it('gives the latest firing in the window, the end included and the start not', () => {
    const from = at('2026-01-05T09:00:00Z');

    expect(cronFiredBetween('0 9 * * *', undefined, from, at('2026-01-08T10:00:00Z'))).toEqual(at('2026-01-08T09:00:00Z'));
    expect(cronFiredBetween('0 9 * * *', undefined, from, at('2026-01-08T09:00:00Z'))).toEqual(at('2026-01-08T09:00:00Z'));
    expect(cronFiredBetween('0 9 * * *', undefined, from, at('2026-01-08T08:59:59Z'))).toEqual(at('2026-01-07T09:00:00Z'));
    expect(cronFiredBetween('0 9 * * *', undefined, from, at('2026-01-06T08:59:59Z'))).toBeNull();
    expect(cronFiredBetween('0 9 * * *', undefined, at('2026-01-05T08:59:59Z'), at('2026-01-05T09:00:00Z'))).toEqual(from);
  });

  it('gives null for an empty or reversed window', () => {
    expect(cronFiredBetween('* * * * *', 'UTC', at('2026-01-05T09:00:00Z'), at('2026-01-05T09:00:00Z'))).toBeNull();
    expect(cronFiredBetween('* * * * *', 'UTC', at('2026-01-05T09:00:00Z'), at('2026-01-05T08:00:00Z'))).toBeNull();
  });

  it('reads the cron on the wall clock of the zone', () => {
    const window = [at('2026-01-01T00:00:00Z'), at('2026-01-01T23:59:59Z')] as const;

    expect(cronFiredBetween('0 9 * * *', 'Asia/Tokyo', ...window)).toBeNull();
    expect(cronFiredBetween('0 8 * * *', 'Asia/Tokyo', ...window)).toEqual(at('2026-01-01T23:00:00Z'));
    expect(cronFiredBetween('30 9 * * *', 'Asia/Kolkata', ...window)).toEqual(at('2026-01-01T04:00:00Z'));
    expect(cronFiredBetween('0 9 * * *', 'America/New_York', ...window)).toEqual(at('2026-01-01T14:00:00Z'));
    expect(cronFiredBetween('0 9 * * *', 'Europe/Berlin', ...window)).toEqual(at('2026-01-01T08:00:00Z'));
  });

  it('follows the zone across DST: summer and winter times', () => {
    expect(cronFiredBetween('0 9 * * *', 'Europe/Berlin', at('2026-07-01T00:00:00Z'), at('2026-07-01T12:00:00Z'))).toEqual(
      at('2026-07-01T07:00:00Z'),
    );
    expect(cronFiredBetween('0 9 * * *', 'America/New_York', at('2026-07-01T00:00:00Z'), at('2026-07-01T23:00:00Z'))).toEqual(
      at('2026-07-01T13:00:00Z'),
    );
  });

  it('fires a time that the spring jump skips at the jump, once', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z.
    const from = at('2026-03-28T12:00:00Z');

    expect(cronFiredBetween('30 2 * * *', 'Europe/Berlin', from, at('2026-03-29T12:00:00Z'))).toEqual(at('2026-03-29T01:00:00Z'));
    expect(cronFiredBetween('30 2 * * *', 'Europe/Berlin', from, at('2026-03-29T00:59:59Z'))).toBeNull();
    expect(cronFiredBetween('0,30 2 * * *', 'Europe/Berlin', at('2026-03-29T01:00:00Z'), at('2026-03-29T12:00:00Z'))).toBeNull();
    expect(cronFiredBetween('0 * * * *', 'Europe/Berlin', at('2026-03-29T00:30:00Z'), at('2026-03-29T01:30:00Z'))).toEqual(
      at('2026-03-29T01:00:00Z'),
    );
  });

  it('fires a time that the autumn fallback repeats on its first pass only', () => {
    // Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00Z.
    expect(cronFiredBetween('30 2 * * *', 'Europe/Berlin', at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'))).toEqual(
      at('2026-10-25T00:30:00Z'),
    );
    expect(cronFiredBetween('30 2 * * *', 'Europe/Berlin', at('2026-10-25T00:30:00Z'), at('2026-10-25T12:00:00Z'))).toBeNull();
    expect(cronFiredBetween('0 * * * *', 'Europe/Berlin', at('2026-10-25T00:30:00Z'), at('2026-10-25T01:59:00Z'))).toBeNull();
    expect(cronFiredBetween('0 * * * *', 'Europe/Berlin', at('2026-10-25T00:30:00Z'), at('2026-10-25T02:00:00Z'))).toEqual(
      at('2026-10-25T02:00:00Z'),
    );
  });

  it('finds a firing on the next wall-clock day when a fallback crosses back over midnight', () => {
    // Moncton, 29 October 2006: 00:01 ADT became 23:01 AST of the 28th at 03:01Z.
    expect(cronFiredBetween('0 0 * * *', 'America/Moncton', at('2006-10-28T12:00:00Z'), at('2006-10-29T03:30:00Z'))).toEqual(
      at('2006-10-29T03:00:00Z'),
    );
  });

  it('fires a time repeated by a fallback at midnight once (Havana, 1 November 2026)', () => {
    // 01:00 CDT becomes 00:00 CST at 05:00Z, so 00:30 shows twice.
    expect(cronFiredBetween('30 0 * * *', 'America/Havana', at('2026-11-01T04:00:00Z'), at('2026-11-01T05:45:00Z'))).toEqual(
      at('2026-11-01T04:30:00Z'),
    );
  });

  it('handles a whole skipped day (Samoa crossed the date line on 30 December 2011)', () => {
    expect(cronFiredBetween('0 12 * * *', 'Pacific/Apia', at('2011-12-29T23:00:00Z'), at('2011-12-30T21:59:00Z'))).toEqual(
      at('2011-12-30T10:00:00Z'),
    );
    expect(cronFiredBetween('0 12 * * *', 'Pacific/Apia', at('2011-12-29T23:00:00Z'), at('2011-12-31T00:00:00Z'))).toEqual(
      at('2011-12-30T22:00:00Z'),
    );
  });

  it('reaches back years for a rare schedule, and gives null when the window misses it', () => {
    expect(cronFiredBetween('0 0 29 2 *', undefined, at('2020-01-01T00:00:00Z'), at('2026-03-20T00:00:00Z'))).toEqual(
      at('2024-02-29T00:00:00Z'),
    );
    expect(cronFiredBetween('0 0 29 2 *', undefined, at('2024-02-29T00:00:00Z'), at('2026-03-20T00:00:00Z'))).toBeNull();
  });

  it('reads day-of-month or day-of-week, L and # as cron does', () => {
    const window = [at('2026-01-01T00:00:00Z'), at('2026-02-10T00:00:00Z')] as const;

    expect(cronFiredBetween('0 9 * * 1#1', 'UTC', ...window)).toEqual(at('2026-02-02T09:00:00Z'));
    expect(cronFiredBetween('0 9 L * *', 'UTC', ...window)).toEqual(at('2026-01-31T09:00:00Z'));
    // Both restricted: either one matches (Sunday 8 February, or the 1st).
    expect(cronFiredBetween('0 9 1 * SUN', 'UTC', ...window)).toEqual(at('2026-02-08T09:00:00Z'));
  });

  it('reads the cron the same whatever the time zone of the process', () => {
    const processZone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      expect(cronFiredBetween('0 9 * * *', 'UTC', at('2026-01-01T00:00:00Z'), at('2026-01-01T23:00:00Z'))).toEqual(at('2026-01-01T09:00:00Z'));
    } finally {
      if (processZone === undefined) delete process.env.TZ;
      else process.env.TZ = processZone;
    }
  });

  it('takes hours and minutes listed in any order', () => {
    expect(cronFiredBetween('45,5 23,1 * * *', 'UTC', at('2026-01-01T00:00:00Z'), at('2026-01-01T23:04:00Z'))).toEqual(
      at('2026-01-01T01:45:00Z'),
    );
    expect(cronFiredBetween('45,5 23,1 * * *', 'UTC', at('2026-01-01T00:00:00Z'), at('2026-01-01T23:05:00Z'))).toEqual(
      at('2026-01-01T23:05:00Z'),
    );
  });

  it('agrees with a minute-by-minute reading of the wall clock around DST changes', () => {
    // Transitions of 2026: Berlin, New York, Lord Howe (30 minutes), Santiago and Havana (at midnight).
    const changes = [
      ['Europe/Berlin', '2026-03-29T01:00:00Z'],
      ['Europe/Berlin', '2026-10-25T01:00:00Z'],
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
      ['America/Santiago', '2026-04-05T03:00:00Z'],
      ['America/Santiago', '2026-09-06T04:00:00Z'],
      ['America/Havana', '2026-03-08T05:00:00Z'],
      ['America/Havana', '2026-11-01T05:00:00Z'],
    ] as const;
    const crons = fc
      .tuple(
        fc.constantFrom('*', '0', '30', '*/20', '0,45', '59'),
        fc.constantFrom('*', '0', '1', '2', '1-3', '*/6', '23', '0,12'),
        fc.constantFrom('*', '1', 'L', '25-31'),
        fc.constantFrom('*', '3,4', '9-11'),
        fc.constantFrom('*', '0', '1-5', '6'),
      )
      .map((fields) => fields.join(' '));
    fc.assert(
      fc.property(
        crons,
        fc.constantFrom(...changes),
        fc.integer({ min: -24 * 60, max: 12 * 60 }),
        fc.integer({ min: 1, max: 20 * 60 }),
        (cron, [zone, change], startMinutes, lengthMinutes) => {
          const from = new Date(Date.parse(change) + startMinutes * minuteMs);
          const to = new Date(from.getTime() + lengthMinutes * minuteMs);
          expect(cronFiredBetween(cron, zone, from, to)).toEqual(latestByMinutes(cron, zone, from, to));
        },
      ),
      { numRuns: 50 },
    );
  });
});

/**
 * The rule spelt out minute by minute: an instant fires when its wall time
 * matches and shows for the first time, or when the clock jumps over a
 * matching wall time at it.
 */
function latestByMinutes(cron: string, zone: string, from: Date, to: Date): Date | null {
  const expression = CronExpressionParser.parse(cron, { tz: 'UTC' });
  const matches = (wall: number) => expression.includesDate(new Date(wall));
  const wall = (ms: number) => wallClockAt(new Date(ms), zone);
  let latest: Date | null = null;
  for (let t = Math.floor(from.getTime() / minuteMs) * minuteMs + minuteMs; t <= to.getTime(); t += minuteMs) {
    const shown = wall(t);
    const before = wall(t - minuteMs);
    const firstPass = [30, 60, 120].every((back) => wall(t - back * minuteMs) !== shown);
    let jumpedOver = false;
    for (let skipped = before + minuteMs; skipped < shown; skipped += minuteMs) jumpedOver ||= matches(skipped);
    if ((firstPass && matches(shown)) || jumpedOver) latest = new Date(t);
  }
  return latest;
}

describe('Function: dueByDays', () => {
  const customer = (firstOrderAt: string | null, nextOrderAt: string | null): Pick<AudienceSubject, 'figures' | 'scores'> => ({
    figures: { orders: 1, firstOrderAt, lastOrderAt: firstOrderAt },
    scores: { pAlive: 0.8, clv12m: 40, nextOrderAt },
  });

  it('gives three days of grace', () => {
    expect(dayTriggerGraceDays).toBe(3);
  });

  it('is due from the day after the first order through the grace days, keyed by that order day', () => {
    const trigger = { type: 'days_after_first_order', days: 30 } as const;
    const first = customer('2026-03-01T18:00:00Z', null);

    expect(dueByDays(trigger, first, at('2026-03-31T17:59:59Z'))).toBeNull();
    expect(dueByDays(trigger, first, at('2026-03-31T18:00:00Z'))).toBe('first:2026-03-01');
    expect(dueByDays(trigger, first, at('2026-04-03T17:59:59Z'))).toBe('first:2026-03-01');
    expect(dueByDays(trigger, first, at('2026-04-03T18:00:00Z'))).toBeNull();
  });

  it('is never due without a first order', () => {
    const trigger = { type: 'days_after_first_order', days: 1 } as const;

    expect(dueByDays(trigger, customer(null, '2026-03-10T00:00:00Z'), at('2026-03-02T00:00:00Z'))).toBeNull();
    expect(dueByDays(trigger, customer('n/a', null), at('2026-03-02T00:00:00Z'))).toBeNull();
  });

  it('is due in the days before the expected order, keyed by the expected day', () => {
    const trigger = { type: 'before_expected_order', days: 7 } as const;
    const expecting = customer('2026-01-01T00:00:00Z', '2026-06-20T12:00:00Z');

    expect(dueByDays(trigger, expecting, at('2026-06-12T12:00:00Z'))).toBeNull();
    expect(dueByDays(trigger, expecting, at('2026-06-12T12:00:01Z'))).toBe('expected:2026-06-20');
    expect(dueByDays(trigger, expecting, at('2026-06-15T12:00:00Z'))).toBe('expected:2026-06-20');
    expect(dueByDays(trigger, expecting, at('2026-06-15T12:00:01Z'))).toBeNull();
  });

  it('with zero days, is due only on the last day before the expected order', () => {
    const trigger = { type: 'before_expected_order', days: 0 } as const;
    const expecting = customer('2026-01-01T00:00:00Z', '2026-06-20T12:00:00Z');

    expect(dueByDays(trigger, expecting, at('2026-06-19T12:00:00Z'))).toBeNull();
    expect(dueByDays(trigger, expecting, at('2026-06-19T12:00:01Z'))).toBe('expected:2026-06-20');
    expect(dueByDays(trigger, expecting, at('2026-06-20T12:00:00Z'))).toBe('expected:2026-06-20');
    expect(dueByDays(trigger, expecting, at('2026-06-20T12:00:01Z'))).toBeNull();
  });

  it('is never due after the expected order date passed, nor without one', () => {
    const trigger = { type: 'before_expected_order', days: 2 } as const;

    expect(dueByDays(trigger, customer('2026-01-01T00:00:00Z', '2026-06-20T00:00:00Z'), at('2026-06-21T00:00:00Z'))).toBeNull();
    expect(dueByDays(trigger, customer('2026-01-01T00:00:00Z', null), at('2026-06-19T00:00:00Z'))).toBeNull();
    expect(dueByDays(trigger, { figures: customer(null, null).figures, scores: null }, at('2026-06-19T00:00:00Z'))).toBeNull();
  });
});
