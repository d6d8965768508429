// The guardrails of every send, in the order of ARCHITECTURE.md.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  checkGuardrails,
  frequencyCap,
  frequencyCapped,
  inHoldout,
  quietUntil,
  withSend,
  type GuardrailFacts,
} from '../../functions/domain/campaigns/guardrails';
import { builtInTemplateNames, type Campaign, type QuietHours } from '../../functions/domain/campaigns/campaign';
import type { SuppressionReason } from '../../functions/app/campaign-ports';
import { wallClockAt } from '../../functions/domain/campaigns/zoned-time';

type GuardedCampaign = Pick<Campaign, 'id' | 'message' | 'quietHours' | 'holdoutPercent'>;

const now = new Date('2026-05-10T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
const marketing: GuardedCampaign = { id: 'cmp_1', message: { template: 'win_back' }, quietHours: null, holdoutPercent: 0 };
const apology: GuardedCampaign = { ...marketing, message: { template: 'apology' } };
const clean: GuardrailFacts = {
  hasEmail: true,
  alreadyReceived: false,
  consent: 'subscribed',
  suppression: null,
  openComplaint: false,
  recentMarketingSends: [],
};
const suppressionReasons: SuppressionReason[] = ['hard_bounce', 'soft_bounces', 'complaint', 'unsubscribe', 'staff'];

describe('Function: checkGuardrails', () => {
  it('sends to a subscribed customer with nothing against it', () => {
    expect(checkGuardrails(marketing, 'c1', clean, now)).toEqual({ kind: 'send' });
  });

  it('checks in order: email, already received, consent, suppression, complaint, cap', () => {
    const all: GuardrailFacts = {
      hasEmail: false,
      alreadyReceived: true,
      consent: 'unknown',
      suppression: 'staff',
      openComplaint: true,
      recentMarketingSends: [hoursAgo(1)],
    };
    const steps: [Partial<GuardrailFacts>, string][] = [
      [{}, 'no_email'],
      [{ hasEmail: true }, 'already_received'],
      [{ alreadyReceived: false }, 'no_consent'],
      [{ consent: 'subscribed' }, 'suppressed'],
      [{ suppression: null }, 'open_complaint'],
      [{ openComplaint: false }, 'frequency_cap'],
    ];
    let facts = all;
    for (const [change, reason] of steps) {
      facts = { ...facts, ...change };
      expect(checkGuardrails(marketing, 'c1', facts, now)).toEqual({ kind: 'drop', reason });
    }
  });

  it('needs marketing consent: unsubscribed and unknown are dropped', () => {
    expect(checkGuardrails(marketing, 'c1', { ...clean, consent: 'unsubscribed' }, now)).toEqual({ kind: 'drop', reason: 'no_consent' });
    expect(checkGuardrails(marketing, 'c1', { ...clean, consent: 'unknown' }, now)).toEqual({ kind: 'drop', reason: 'no_consent' });
  });

  it('drops marketing for every suppression reason', () => {
    for (const suppression of suppressionReasons) {
      expect(checkGuardrails(marketing, 'c1', { ...clean, suppression }, now)).toEqual({ kind: 'drop', reason: 'suppressed' });
    }
  });

  it('sends transactional mail without consent, past an open complaint and the cap', () => {
    const facts: GuardrailFacts = { ...clean, consent: 'unsubscribed', openComplaint: true, recentMarketingSends: [hoursAgo(1)] };

    expect(checkGuardrails(apology, 'c1', facts, now)).toEqual({ kind: 'send' });
  });

  it('suppresses transactional mail only for an undeliverable address', () => {
    const verdict = (suppression: SuppressionReason) => checkGuardrails(apology, 'c1', { ...clean, suppression }, now);

    expect(verdict('hard_bounce')).toEqual({ kind: 'drop', reason: 'suppressed' });
    expect(verdict('soft_bounces')).toEqual({ kind: 'drop', reason: 'suppressed' });
    expect(verdict('complaint')).toEqual({ kind: 'drop', reason: 'suppressed' });
    expect(verdict('unsubscribe')).toEqual({ kind: 'send' });
    expect(verdict('staff')).toEqual({ kind: 'send' });
  });

  it('still drops transactional mail without an address or already received', () => {
    expect(checkGuardrails(apology, 'c1', { ...clean, hasEmail: false }, now)).toEqual({ kind: 'drop', reason: 'no_email' });
    expect(checkGuardrails(apology, 'c1', { ...clean, alreadyReceived: true }, now)).toEqual({ kind: 'drop', reason: 'already_received' });
  });

  it('defers in quiet hours until they end, for transactional mail too', () => {
    const quiet = { ...marketing, quietHours: { start: '11:00', end: '13:30' } };

    expect(checkGuardrails(quiet, 'c1', clean, now)).toEqual({ kind: 'defer', until: new Date('2026-05-10T13:30:00Z') });
    expect(checkGuardrails({ ...quiet, message: { template: 'apology' } }, 'c1', clean, now)).toEqual({
      kind: 'defer',
      until: new Date('2026-05-10T13:30:00Z'),
    });
    expect(checkGuardrails({ ...quiet, quietHours: { start: '13:00', end: '11:00' } }, 'c1', clean, now)).toEqual({ kind: 'send' });
  });

  it('drops before it defers, and defers before the holdout', () => {
    const quiet = { ...marketing, holdoutPercent: 90, quietHours: { start: '00:00', end: '23:59' } };

    expect(checkGuardrails(quiet, 'c1', { ...clean, consent: 'unknown' }, now)).toEqual({ kind: 'drop', reason: 'no_consent' });
    expect(checkGuardrails(quiet, 'c1', clean, now).kind).toBe('defer');
  });

  it('holds out the customers the hash puts in the holdout, and sends the rest', () => {
    const campaign = { ...marketing, holdoutPercent: 50 };
    const verdicts = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((id) => [id, checkGuardrails(campaign, id, clean, now).kind]);

    expect(verdicts).toEqual(verdicts.map(([id]) => [id, inHoldout('cmp_1', id!, 50) ? 'holdout' : 'send']));
    expect(new Set(verdicts.map(([, kind]) => kind))).toEqual(new Set(['holdout', 'send']));
  });

  it('never lets a send or a holdout reach a customer it must not mail (property)', () => {
    const isoNear = fc.integer({ min: -10 * 24 * 60, max: 24 * 60 }).map((minutes) => new Date(now.getTime() + minutes * 60_000).toISOString());
    const hhmm = fc.tuple(fc.nat(23), fc.nat(59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const quietHours = fc.option(
      fc
        .record({ start: hhmm, end: hhmm, timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata') })
        .filter((q) => q.start !== q.end),
    );
    const campaigns = fc.record({
      id: fc.string({ minLength: 1 }),
      message: fc.oneof(
        fc.constantFrom(...builtInTemplateNames).map((template) => ({ template })),
        fc.constant({ subject: 'Hi', html: '<p>{{unsubscribeUrl}}</p>', text: '{{unsubscribeUrl}}' }),
      ),
      quietHours,
      holdoutPercent: fc.integer({ min: 0, max: 90 }),
    });
    const facts = fc.record({
      hasEmail: fc.boolean(),
      alreadyReceived: fc.boolean(),
      consent: fc.constantFrom('subscribed', 'unsubscribed', 'unknown' as const),
      suppression: fc.constantFrom(null, ...suppressionReasons),
      openComplaint: fc.boolean(),
      recentMarketingSends: fc.array(isoNear, { maxLength: 5 }),
    });
    const times = fc.integer({ min: 0, max: 366 * 24 * 60 }).map((minutes) => new Date(now.getTime() + minutes * 60_000));

    fc.assert(
      fc.property(campaigns, fc.string(), facts, times, (campaign, customerId, f, at) => {
        const verdict = checkGuardrails(campaign, customerId, f, at);
        if (verdict.kind === 'drop') return;
        expect(f.hasEmail && !f.alreadyReceived).toBe(true);
        if (verdict.kind === 'defer') expect(verdict.until.getTime()).toBeGreaterThan(at.getTime());
        const transactional = 'template' in campaign.message && campaign.message.template === 'apology';
        if (transactional) {
          expect(['hard_bounce', 'soft_bounces', 'complaint']).not.toContain(f.suppression);
          return;
        }
        expect(f.consent).toBe('subscribed');
        expect(f.suppression).toBeNull();
        expect(f.openComplaint).toBe(false);
        expect(frequencyCapped(f.recentMarketingSends, at)).toBe(false);
        const sent = f.recentMarketingSends.map((iso) => Date.parse(iso));
        expect(sent.every((t) => at.getTime() - t >= 16 * 3_600_000)).toBe(true);
        expect(sent.filter((t) => at.getTime() - t < 7 * 86_400_000).length).toBeLessThan(3);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Function: frequencyCapped', () => {
  it('holds 16 hours between marketing mails and 3 in 7 days', () => {
    expect(frequencyCap).toEqual({ minGapHours: 16, maxPer7Days: 3 });
    expect(frequencyCapped([], now)).toBe(false);
    expect(frequencyCapped([hoursAgo(15.99)], now)).toBe(true);
    expect(frequencyCapped([hoursAgo(16)], now)).toBe(false);
    expect(frequencyCapped([hoursAgo(100), hoursAgo(20)], now)).toBe(false);
    expect(frequencyCapped([hoursAgo(150), hoursAgo(100), hoursAgo(20)], now)).toBe(true);
    expect(frequencyCapped([hoursAgo(168), hoursAgo(100), hoursAgo(20)], now)).toBe(false);
    expect(frequencyCapped([hoursAgo(167.99), hoursAgo(100), hoursAgo(20)], now)).toBe(true);
  });

  it('counts a time after now as recent and ignores unreadable times', () => {
    expect(frequencyCapped([hoursAgo(-2)], now)).toBe(true);
    expect(frequencyCapped(['yesterday', 'never', 'soon'], now)).toBe(false);
  });
});

describe('Function: withSend', () => {
  it('appends the send and keeps the last 7 days, oldest first', () => {
    const at = new Date('2026-05-10T12:00:00Z');

    expect(withSend([hoursAgo(168), hoursAgo(20), hoursAgo(167.5), 'garbage', hoursAgo(100)], at)).toEqual([
      hoursAgo(167.5),
      hoursAgo(100),
      hoursAgo(20),
      '2026-05-10T12:00:00.000Z',
    ]);
    expect(withSend([], at)).toEqual(['2026-05-10T12:00:00.000Z']);
  });

  it('sorts times written in other offsets by instant', () => {
    expect(withSend(['2026-05-10T09:00:00+02:00', '2026-05-10T08:00:00Z'], now)).toEqual([
      '2026-05-10T07:00:00.000Z',
      '2026-05-10T08:00:00.000Z',
      '2026-05-10T12:00:00.000Z',
    ]);
  });
});

describe('Function: quietUntil', () => {
  const at = (iso: string) => new Date(iso);

  it('is null outside the window, start included and end excluded', () => {
    const window: QuietHours = { start: '21:00', end: '08:00' };

    expect(quietUntil(window, at('2026-05-10T20:59:59Z'))).toBeNull();
    expect(quietUntil(window, at('2026-05-10T21:00:00Z'))).toEqual(at('2026-05-11T08:00:00Z'));
    expect(quietUntil(window, at('2026-05-11T07:59:59Z'))).toEqual(at('2026-05-11T08:00:00Z'));
    expect(quietUntil(window, at('2026-05-11T08:00:00Z'))).toBeNull();
    expect(quietUntil(window, at('2026-05-10T12:00:00Z'))).toBeNull();
  });

  it('keeps a window that does not wrap within its day', () => {
    const window: QuietHours = { start: '12:00', end: '14:00' };

    expect(quietUntil(window, at('2026-05-10T11:59:59Z'))).toBeNull();
    expect(quietUntil(window, at('2026-05-10T12:00:00Z'))).toEqual(at('2026-05-10T14:00:00Z'));
    expect(quietUntil(window, at('2026-05-10T13:59:00Z'))).toEqual(at('2026-05-10T14:00:00Z'));
    expect(quietUntil(window, at('2026-05-10T14:00:00Z'))).toBeNull();
    expect(quietUntil(window, at('2026-05-10T23:00:00Z'))).toBeNull();
  });

  it('reads the window on the wall clock of its zone', () => {
    const window: QuietHours = { start: '21:00', end: '08:00', timeZone: 'America/New_York' };

    expect(quietUntil(window, at('2026-05-10T12:00:00Z'))).toBeNull();
    expect(quietUntil(window, at('2026-05-10T11:59:00Z'))).toEqual(at('2026-05-10T12:00:00Z'));
    expect(quietUntil(window, at('2026-05-11T01:00:00Z'))).toEqual(at('2026-05-11T12:00:00Z'));
  });

  it('ends at the jump when spring DST skips the end', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z.
    const window: QuietHours = { start: '22:00', end: '02:30', timeZone: 'Europe/Berlin' };

    expect(quietUntil(window, at('2026-03-28T23:00:00Z'))).toEqual(at('2026-03-29T01:00:00Z'));
  });

  it('ends at the first pass of an end that the autumn fallback repeats, or at the second when past the first', () => {
    // Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00Z.
    const window: QuietHours = { start: '22:00', end: '02:30', timeZone: 'Europe/Berlin' };

    expect(quietUntil(window, at('2026-10-24T23:00:00Z'))).toEqual(at('2026-10-25T00:30:00Z'));
    expect(quietUntil(window, at('2026-10-25T00:30:00Z'))).toBeNull();
    // 02:10 CET, the second pass: quiet again until 02:30 CET.
    expect(quietUntil(window, at('2026-10-25T01:10:00Z'))).toEqual(at('2026-10-25T01:30:00Z'));
  });

  it('ends when the window is over by the clock (property)', () => {
    const hhmm = fc.tuple(fc.nat(23), fc.nat(59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const zones = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu');
    const instants = fc.integer({ min: 0, max: 366 * 24 * 60 }).map((m) => new Date(Date.UTC(2026, 0, 1) + m * 60_000));
    fc.assert(
      fc.property(hhmm, hhmm, zones, instants, (start, end, timeZone, when) => {
        fc.pre(start !== end);
        const window = { start, end, timeZone };
        const until = quietUntil(window, when);
        if (until === null) return;
        expect(until.getTime()).toBeGreaterThan(when.getTime());
        expect(until.getTime() - when.getTime()).toBeLessThanOrEqual(26 * 3_600_000);
        expect(quietUntil(window, new Date(until.getTime() - 60_000))).not.toBeNull();
        // Over, unless a DST jump at that instant lands in the window again.
        const jumped = wallClockAt(until, timeZone) - wallClockAt(new Date(until.getTime() - 60_000), timeZone) > 60_000;
        if (!jumped) expect(quietUntil(window, until)).toBeNull();
      }),
    );
  });
});

describe('Function: inHoldout', () => {
  it('puts the bucket of sha256(campaign:customer) below percent × 100 in the holdout', () => {
    const bucket = createHash('sha256').update('cmp_1:cus_42').digest().readUInt32BE(0) % 10_000;

    expect(inHoldout('cmp_1', 'cus_42', bucket / 100)).toBe(false);
    expect(inHoldout('cmp_1', 'cus_42', (bucket + 1) / 100)).toBe(true);
    expect(inHoldout('cmp_1', 'cus_42', 0)).toBe(false);
  });

  it('gives the same answer on every run and splits close to the percent', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `cus_${i}`);
    const held = ids.filter((id) => inHoldout('cmp_7', id, 10));

    expect(held.length / ids.length).toBeGreaterThan(0.09);
    expect(held.length / ids.length).toBeLessThan(0.11);
    expect(ids.filter((id) => inHoldout('cmp_7', id, 10))).toEqual(held);
    // Another campaign draws another group.
    expect(ids.filter((id) => inHoldout('cmp_8', id, 10))).not.toEqual(held);
  });
});
