// A zone's wall clock, and the instant a wall time maps to across DST.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { instantAt, isTimeZone, passesOf, wallClockAt } from '../../functions/domain/campaigns/zoned-time';

const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('Function: isTimeZone', () => {
  it('knows zone names and refuses offsets, unknown names and padding', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Etc/GMT+12')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('+01:00')).toBe(false);
    expect(isTimeZone(' UTC')).toBe(false);
    expect(isTimeZone('Europe/Berlin/')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('Function: wallClockAt', () => {
  it('shows the local date and time as if UTC, whole seconds', () => {
    expect(wallClockAt(new Date('2026-07-01T22:30:15.999Z'), 'Europe/Berlin')).toBe(wall('2026-07-02T00:30:15'));
    expect(wallClockAt(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe(wall('2025-12-31T22:00:00'));
    expect(wallClockAt(new Date('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(wall('2026-01-01T05:45:00'));
  });
});

describe('Function: instantAt', () => {
  it('maps an ordinary wall time to its one instant', () => {
    expect(instantAt(wall('2026-07-01T09:00:00'), 'Europe/Berlin')).toEqual(new Date('2026-07-01T07:00:00Z'));
    expect(instantAt(wall('2026-07-01T09:00:00'), 'UTC')).toEqual(new Date('2026-07-01T09:00:00Z'));
  });

  it('maps a time the spring jump skips to the jump', () => {
    expect(instantAt(wall('2026-03-29T02:00:00'), 'Europe/Berlin')).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(instantAt(wall('2026-03-29T02:59:00'), 'Europe/Berlin')).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(instantAt(wall('2026-03-29T03:00:00'), 'Europe/Berlin')).toEqual(new Date('2026-03-29T01:00:00Z'));
    // Lord Howe moves by half an hour: 02:00 becomes 02:30 at 15:30Z.
    expect(instantAt(wall('2026-10-04T02:10:00'), 'Australia/Lord_Howe')).toEqual(new Date('2026-10-03T15:30:00Z'));
  });

  it('maps a time the autumn fallback repeats to its first pass', () => {
    expect(instantAt(wall('2026-10-25T02:30:00'), 'Europe/Berlin')).toEqual(new Date('2026-10-25T00:30:00Z'));
    expect(instantAt(wall('2026-11-01T01:15:00'), 'America/New_York')).toEqual(new Date('2026-11-01T05:15:00Z'));
  });

  it('maps a wall time in a day a zone skipped whole to the first instant after it', () => {
    expect(instantAt(wall('2011-12-30T12:00:00'), 'Pacific/Apia')).toEqual(new Date('2011-12-30T10:00:00Z'));
  });

  it('never maps a later wall time to an earlier instant, and shows a time it did not skip', () => {
    const zones = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata');
    const minutes = fc.integer({ min: 0, max: 2 * 366 * 24 * 60 }).map((m) => Date.UTC(2025, 0, 1) + m * 60_000);
    fc.assert(
      fc.property(zones, minutes, fc.integer({ min: 1, max: 180 }), (zone, local, later) => {
        const at = instantAt(local, zone);
        expect(instantAt(local + later * 60_000, zone).getTime()).toBeGreaterThanOrEqual(at.getTime());
        // Shown as is, or skipped: then the clock shows a later time at the jump and an earlier one just before.
        const shown = wallClockAt(at, zone);
        if (shown !== local) {
          expect(shown).toBeGreaterThan(local);
          expect(wallClockAt(new Date(at.getTime() - 60_000), zone)).toBeLessThan(local);
        }
      }),
    );
  });
});

describe('Function: passesOf', () => {
  it('gives one instant for an ordinary or skipped time and both passes of a repeated one', () => {
    expect(passesOf(wall('2026-07-01T09:00:00'), 'Europe/Berlin')).toEqual([new Date('2026-07-01T07:00:00Z')]);
    expect(passesOf(wall('2026-03-29T02:30:00'), 'Europe/Berlin')).toEqual([new Date('2026-03-29T01:00:00Z')]);
    expect(passesOf(wall('2026-10-25T02:30:00'), 'Europe/Berlin')).toEqual([
      new Date('2026-10-25T00:30:00Z'),
      new Date('2026-10-25T01:30:00Z'),
    ]);
  });
});
