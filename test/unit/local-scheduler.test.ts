import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLocalScheduler, UnknownScheduleError, type LocalScheduler } from '../../bin/local/scheduler';
import type { QueueName } from '../../lib/resources';
import { InvalidScheduleError } from '../../lib/schedule-expression';

const minute = 60_000;
const day = 24 * 60 * minute;

let sent: { queue: QueueName; body: string; at: string }[];
let ticks: string[];
let logs: string[];
let scheduler: LocalScheduler | undefined;

/**
 * Starts the scheduler on every definition, and hands the rescore queue's
 * messages to `send`: these tests follow the daily rescore; the campaign tick
 * (every 15 minutes, to its own queue) has a test of its own below.
 */
function start(env: Record<string, string> = {}, send?: (queue: QueueName, body: string) => Promise<void>): LocalScheduler {
  scheduler = startLocalScheduler({
    env,
    log: (line) => logs.push(line),
    send: async (queue, body) => {
      if (queue === 'campaignRuns') {
        ticks.push(new Date().toISOString());
        return;
      }
      if (send) return send(queue, body);
      sent.push({ queue, body, at: new Date().toISOString() });
    },
  });
  return scheduler;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-23T02:59:00Z'));
  sent = [];
  ticks = [];
  logs = [];
});

afterEach(() => {
  scheduler?.stop();
  scheduler = undefined;
  vi.useRealTimers();
});

describe('Local scheduler', () => {
  it('sends the definition message to the rescore queue at 03:00 UTC, and logs the firing', async () => {
    start();
    await vi.advanceTimersByTimeAsync(minute - 1);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([{ queue: 'rescore', body: '{"trigger":"schedule"}', at: '2026-11-23T03:00:00.000Z' }]);
    expect(logs).toContain('schedule DailyRescore fired');
    await vi.advanceTimersByTimeAsync(day);
    expect(sent.map((s) => s.at)).toEqual(['2026-11-23T03:00:00.000Z', '2026-11-24T03:00:00.000Z']);
  });

  it('takes the expression and zone from HUITOU_RESCORE_SCHEDULE and HUITOU_RESCORE_TIME_ZONE', async () => {
    const local = start({ HUITOU_RESCORE_SCHEDULE: 'cron(30 4 * * ? *)', HUITOU_RESCORE_TIME_ZONE: 'Europe/Berlin' });
    expect(local.schedules.map((s) => [s.definition.id, s.expression, s.timeZone])).toEqual([
      ['DailyRescore', 'cron(30 4 * * ? *)', 'Europe/Berlin'],
      ['CampaignTick', 'rate(15 minutes)', 'UTC'],
    ]);
    expect(logs).toContain('schedule DailyRescore: cron(30 4 * * ? *) in Europe/Berlin');
    await vi.advanceTimersByTimeAsync(day + 32 * minute);
    // 04:30 in Berlin is 03:30 UTC in November.
    expect(sent.map((s) => s.at)).toEqual(['2026-11-23T03:30:00.000Z', '2026-11-24T03:30:00.000Z']);
  });

  it('fires a rate every interval from the start', async () => {
    start({ HUITOU_RESCORE_SCHEDULE: 'rate(1 minute)' });
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(sent.map((s) => s.at)).toEqual([
      '2026-11-23T03:00:00.000Z',
      '2026-11-23T03:01:00.000Z',
      '2026-11-23T03:02:00.000Z',
    ]);
  });

  it('refuses to start with a bad override, naming the variable', () => {
    expect(() => start({ HUITOU_RESCORE_SCHEDULE: 'cron(0 3 * * *)' })).toThrow(InvalidScheduleError);
    expect(() => start({ HUITOU_RESCORE_TIME_ZONE: 'Moon/Base' })).toThrow(/from env HUITOU_RESCORE_TIME_ZONE is invalid/);
  });

  it('fires a schedule on demand, and refuses an unknown id', async () => {
    const local = start();
    await local.fire('DailyRescore');
    expect(sent).toEqual([{ queue: 'rescore', body: '{"trigger":"schedule"}', at: '2026-11-23T02:59:00.000Z' }]);
    await expect(local.fire('Nightly')).rejects.toThrow(UnknownScheduleError);
  });

  it('fires nothing once stopped', async () => {
    start().stop();
    await vi.advanceTimersByTimeAsync(2 * day);
    expect(sent).toEqual([]);
  });

  it('does not fire late a due time the machine slept through', async () => {
    start();
    // The clock jumps five hours while the timer stands still, as in a suspend.
    vi.setSystemTime(new Date('2026-11-23T07:59:00Z'));
    await vi.advanceTimersByTimeAsync(minute);
    expect(sent).toEqual([]);
    expect(logs).toContain('schedule DailyRescore missed 2026-11-23T03:00:00.000Z (the machine slept); not fired late');
    await vi.advanceTimersByTimeAsync(day);
    expect(sent.map((s) => s.at)).toEqual(['2026-11-24T03:00:00.000Z']);
  });

  it('logs a failed send and keeps the next due time', async () => {
    let calls = 0;
    start({}, async () => {
      calls += 1;
      if (calls === 1) throw new Error('queue gone');
    });
    await vi.advanceTimersByTimeAsync(minute);
    expect(logs).toContain('schedule DailyRescore failed: queue gone');
    expect(logs).not.toContain('schedule DailyRescore fired');
    await vi.advanceTimersByTimeAsync(day);
    expect(calls).toBe(2);
    expect(logs).toContain('schedule DailyRescore fired');
  });

  it('waits past the longest timer for a due time weeks away', async () => {
    start({ HUITOU_RESCORE_SCHEDULE: 'cron(0 3 1 1 ? *)' });
    await vi.advanceTimersByTimeAsync(38 * day);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * day);
    expect(sent.map((s) => s.at)).toEqual(['2027-01-01T03:00:00.000Z']);
  });

  it('sends the campaign tick to the campaign-runs queue every 15 minutes, from HUITOU_CAMPAIGN_TICK_SCHEDULE when set', async () => {
    start();
    await vi.advanceTimersByTimeAsync(45 * minute);
    expect(ticks).toEqual(['2026-11-23T03:14:00.000Z', '2026-11-23T03:29:00.000Z', '2026-11-23T03:44:00.000Z']);
    scheduler?.stop();
    ticks = [];
    start({ HUITOU_CAMPAIGN_TICK_SCHEDULE: 'rate(5 minutes)' });
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(ticks).toHaveLength(2);
  });

  it('says when a schedule has no due time left', () => {
    start({ HUITOU_RESCORE_SCHEDULE: 'cron(0 3 * * ? 2025)' });
    expect(logs).toContain('schedule DailyRescore has no due time left');
  });
});
