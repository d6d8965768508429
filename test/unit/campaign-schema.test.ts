// The campaign schema refuses what the matcher and the sender could not run.
import { describe, expect, it } from 'vitest';
import { messageSchema, quietHoursSchema, triggerSchema } from '../../functions/domain/campaigns/campaign';

const issues = (result: { error?: { issues: { message: string; path: PropertyKey[] }[] } }) =>
  result.error?.issues.map(({ message, path }) => ({ message, path }));

describe('Schema: triggerSchema', () => {
  it('takes a schedule that cronProblem passes', () => {
    expect(triggerSchema.safeParse({ type: 'schedule', cron: '0 9 * * MON', timeZone: 'Europe/Berlin' }).success).toBe(true);
  });

  it('names the cron or the zone that would not run', () => {
    expect(issues(triggerSchema.safeParse({ type: 'schedule', cron: '0 9 * * * *' }))).toEqual([
      { message: 'a schedule has 5 fields (minute hour day-of-month month day-of-week), this one has 6', path: ['cron'] },
    ]);
    expect(issues(triggerSchema.safeParse({ type: 'schedule', cron: '0 9 * * *', timeZone: 'Mars/Olympus' }))).toEqual([
      { message: '"Mars/Olympus" is not an IANA time zone name such as Europe/Berlin', path: ['timeZone'] },
    ]);
  });
});

describe('Schema: quietHoursSchema', () => {
  it('takes a known zone and refuses an unknown one', () => {
    expect(quietHoursSchema.safeParse({ start: '21:00', end: '08:00', timeZone: 'America/New_York' }).success).toBe(true);
    expect(issues(quietHoursSchema.safeParse({ start: '21:00', end: '08:00', timeZone: '+02:00' }))).toEqual([
      { message: 'not an IANA time zone name such as Europe/Berlin', path: ['timeZone'] },
    ]);
  });
});

describe('Schema: messageSchema', () => {
  it('takes a built-in template and a custom message that renders', () => {
    expect(messageSchema.safeParse({ template: 'win_back' }).success).toBe(true);
    expect(messageSchema.safeParse({ subject: 'Hi {{name}}', html: '<a href="{{unsubscribeUrl}}">x</a>', text: '{{unsubscribeUrl}}' }).success).toBe(true);
  });

  it('gives each template problem as an issue', () => {
    expect(issues(messageSchema.safeParse({ subject: 'Hi {{first}}', html: '{{unsubscribeUrl}}', text: '{{unsubscribeUrl}}' }))).toEqual([
      { message: 'subject: unknown placeholder {{first}}', path: [] },
    ]);
  });
});
