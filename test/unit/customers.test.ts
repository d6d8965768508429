import { describe, expect, it } from 'vitest';
import {
  countersTouched,
  edgeDaysToRead,
  moveFigures,
  newProfile,
  removesEdge,
  type CustomerProfile,
  type PurchaseDay,
} from '../../functions/domain/customers';
import type { Contribution } from '../../functions/domain/orders';

const at = (iso: string) => Date.parse(iso);

function contribution(placedAt: string, overrides: Partial<Contribution> = {}): Contribution {
  return {
    channelId: 'ch_shop',
    day: placedAt.slice(0, 10),
    atMs: at(placedAt),
    currency: 'USD',
    grossMinor: 1000,
    refundedMinor: 0,
    discountCodes: [],
    ...overrides,
  };
}

/** A profile whose figures count `orders` orders from `first` to `last`. */
function profileWith(figures: Partial<CustomerProfile['figures']>): CustomerProfile {
  const profile = newProfile('cus_1', '2026-01-01T00:00:00Z');
  return { ...profile, figures: { ...profile.figures, currency: 'USD', ...figures } };
}

const noCounters = { days: {}, codes: {} };

describe('Function: moveFigures', () => {
  it('opens a purchase day and sets first and last order for a first order', () => {
    // Arrange
    const order = contribution('2026-03-01T10:00:00-05:00', { discountCodes: ['TENOFF'] });

    // Act
    const moved = moveFigures(newProfile('cus_1', 'now'), undefined, order, noCounters);

    // Assert
    expect(moved.profile.figures).toMatchObject({
      orders: 1,
      purchaseDays: 1,
      grossMinor: 1000,
      netMinor: 1000,
      firstOrderAt: '2026-03-01T15:00:00.000Z',
      lastOrderAt: '2026-03-01T15:00:00.000Z',
    });
    expect(moved.days).toStrictEqual([{ day: '2026-03-01', before: [], after: [order.atMs] }]);
    expect(moved.codes).toStrictEqual([{ code: 'TENOFF', before: 0, after: 1 }]);
  });

  it('keeps the purchase-day count when a second order lands on a day already counted', () => {
    // Arrange
    const first = contribution('2026-03-01T10:00:00Z');
    const second = contribution('2026-03-01T18:00:00Z');
    const profile = profileWith({ orders: 1, purchaseDays: 1, grossMinor: 1000, netMinor: 1000, firstOrderAt: '2026-03-01T10:00:00.000Z', lastOrderAt: '2026-03-01T10:00:00.000Z' });

    // Act
    const moved = moveFigures(profile, undefined, second, { days: { '2026-03-01': [first.atMs] }, codes: {} });

    // Assert
    expect(moved.profile.figures).toMatchObject({ orders: 2, purchaseDays: 1, lastOrderAt: '2026-03-01T18:00:00.000Z' });
    expect(moved.days).toStrictEqual([{ day: '2026-03-01', before: [first.atMs], after: [first.atMs, second.atMs] }]);
  });

  it('closes a day and drops a code when the only order on them is cancelled', () => {
    // Arrange
    const middle = contribution('2026-03-02T10:00:00Z', { discountCodes: ['A'] });
    const profile = profileWith({ orders: 3, purchaseDays: 3, grossMinor: 3000, netMinor: 3000, firstOrderAt: '2026-03-01T10:00:00.000Z', lastOrderAt: '2026-03-03T10:00:00.000Z' });

    // Act
    const moved = moveFigures(profile, middle, undefined, { days: { '2026-03-02': [middle.atMs] }, codes: { A: 1 } });

    // Assert
    expect(moved.profile.figures).toMatchObject({
      orders: 2,
      purchaseDays: 2,
      grossMinor: 2000,
      firstOrderAt: '2026-03-01T10:00:00.000Z',
      lastOrderAt: '2026-03-03T10:00:00.000Z',
    });
    expect(moved.days).toStrictEqual([{ day: '2026-03-02', before: [middle.atMs], after: [] }]);
    expect(moved.codes).toStrictEqual([{ code: 'A', before: 1, after: 0 }]);
  });

  it('writes no counter item for a change that moves only money', () => {
    // Arrange
    const before = contribution('2026-03-01T10:00:00Z', { discountCodes: ['A'] });
    const after = { ...before, refundedMinor: 400 };
    const profile = profileWith({ orders: 1, purchaseDays: 1, grossMinor: 1000, netMinor: 1000, firstOrderAt: '2026-03-01T10:00:00.000Z', lastOrderAt: '2026-03-01T10:00:00.000Z' });

    // Act
    const moved = moveFigures(profile, before, after, noCounters);

    // Assert
    expect(countersTouched(before, after)).toStrictEqual({ days: [], codes: [] });
    expect(moved).toMatchObject({ days: [], codes: [], profile: { figures: { refundedMinor: 400, netMinor: 600, purchaseDays: 1 } } });
  });

  /** What the repository answers for these stored days: edgeDaysToRead from each end. */
  function edgesOf(stored: PurchaseDay[]) {
    const byDay = [...stored].sort((x, y) => (x.day < y.day ? -1 : 1));
    return { earliest: byDay.slice(0, edgeDaysToRead), latest: [...byDay].reverse().slice(0, edgeDaysToRead) };
  }
  const day = (iso: string): PurchaseDay => ({ day: iso.slice(0, 10), times: [at(iso)] });

  it('finds the new first order two days after the earliest day left, when stores sit in far-apart offsets', () => {
    // Arrange: the first order goes. Of the days left, 04-03 in +14:00 holds the earliest instant.
    const gone = contribution('2026-03-31T12:00:00Z');
    const stored = [
      day('2026-03-31T12:00:00Z'),
      day('2026-04-01T23:00:00-12:00'), // 04-02 11:00 UTC
      day('2026-04-02T00:00:00-12:00'), // 04-02 12:00 UTC
      day('2026-04-03T00:00:00+14:00'), // 04-02 10:00 UTC
      day('2026-04-04T12:00:00Z'),
      day('2026-04-05T12:00:00Z'),
      day('2026-04-06T12:00:00Z'),
    ];
    const profile = profileWith({ orders: 7, purchaseDays: 7, firstOrderAt: '2026-03-31T12:00:00.000Z', lastOrderAt: '2026-04-06T12:00:00.000Z' });

    // Act
    const moved = moveFigures(profile, gone, undefined, { days: { '2026-03-31': [gone.atMs] }, codes: {} }, edgesOf(stored));

    // Assert
    expect(moved.profile.figures).toMatchObject({
      orders: 6,
      purchaseDays: 6,
      firstOrderAt: '2026-04-02T10:00:00.000Z',
      lastOrderAt: '2026-04-06T12:00:00.000Z',
    });
  });

  it('finds the new last order two days before the latest day left, when stores sit in far-apart offsets', () => {
    // Arrange: the last order goes. Of the days left, 05-08 in -12:00 holds the latest instant.
    const gone = contribution('2026-05-11T12:00:00Z');
    const stored = [
      day('2026-05-05T12:00:00Z'),
      day('2026-05-06T12:00:00Z'),
      day('2026-05-07T12:00:00Z'),
      day('2026-05-08T23:00:00-12:00'), // 05-09 11:00 UTC
      day('2026-05-09T00:00:00+14:00'), // 05-08 10:00 UTC
      day('2026-05-10T00:00:00+14:00'), // 05-09 10:00 UTC
      day('2026-05-11T12:00:00Z'),
    ];
    const profile = profileWith({ orders: 7, purchaseDays: 7, firstOrderAt: '2026-05-05T12:00:00.000Z', lastOrderAt: '2026-05-11T12:00:00.000Z' });

    // Act
    const moved = moveFigures(profile, gone, undefined, { days: { '2026-05-11': [gone.atMs] }, codes: {} }, edgesOf(stored));

    // Assert
    expect(moved.profile.figures).toMatchObject({
      purchaseDays: 6,
      firstOrderAt: '2026-05-05T12:00:00.000Z',
      lastOrderAt: '2026-05-09T11:00:00.000Z',
    });
  });

  it('takes the new first order from within its day when the day keeps other orders', () => {
    // Arrange
    const gone = contribution('2026-03-01T08:00:00Z');
    const stored = [{ day: '2026-03-01', times: [gone.atMs, at('2026-03-01T09:00:00Z')] }, day('2026-03-02T07:00:00Z')];
    const profile = profileWith({ orders: 3, purchaseDays: 2, firstOrderAt: '2026-03-01T08:00:00.000Z', lastOrderAt: '2026-03-02T07:00:00.000Z' });

    // Act
    const moved = moveFigures(profile, gone, undefined, { days: { '2026-03-01': stored[0]!.times }, codes: {} }, edgesOf(stored));

    // Assert
    expect(moved.profile.figures).toMatchObject({ purchaseDays: 2, firstOrderAt: '2026-03-01T09:00:00.000Z' });
    expect(moved.days).toStrictEqual([{ day: '2026-03-01', before: stored[0]!.times, after: [at('2026-03-01T09:00:00Z')] }]);
  });

  it('clears first and last order when the last counted order goes', () => {
    // Arrange
    const only = contribution('2026-03-01T10:00:00Z');
    const profile = profileWith({ orders: 1, purchaseDays: 1, grossMinor: 1000, netMinor: 1000, firstOrderAt: '2026-03-01T10:00:00.000Z', lastOrderAt: '2026-03-01T10:00:00.000Z' });
    const stored = [{ day: '2026-03-01', times: [only.atMs] }];

    // Act
    const moved = moveFigures(profile, only, undefined, { days: { '2026-03-01': [only.atMs] }, codes: {} }, { earliest: stored, latest: stored });

    // Assert
    expect(moved.profile.figures).toStrictEqual({
      orders: 0,
      purchaseDays: 0,
      grossMinor: 0,
      refundedMinor: 0,
      netMinor: 0,
      currency: null,
      firstOrderAt: null,
      lastOrderAt: null,
    });
  });

  it('refuses to guess the new first order without the day edges', () => {
    // Arrange
    const only = contribution('2026-03-01T10:00:00Z');
    const profile = profileWith({ orders: 1, purchaseDays: 1, firstOrderAt: '2026-03-01T10:00:00.000Z', lastOrderAt: '2026-03-01T10:00:00.000Z' });

    // Act and assert
    expect(() => moveFigures(profile, only, undefined, noCounters)).toThrow(/needs the day edges/);
  });
});

describe('Function: removesEdge', () => {
  const figures = { firstOrderAt: '2026-03-01T10:00:00.000Z', lastOrderAt: '2026-03-09T10:00:00.000Z' };

  it.each([
    ['the first order goes', contribution('2026-03-01T10:00:00Z'), undefined, true],
    ['the last order moves to another time', contribution('2026-03-09T10:00:00Z'), contribution('2026-03-05T10:00:00Z'), true],
    ['an order in between goes', contribution('2026-03-05T10:00:00Z'), undefined, false],
    ['the first order changes only its money', contribution('2026-03-01T10:00:00Z'), contribution('2026-03-01T10:00:00Z', { grossMinor: 5 }), false],
    ['an order arrives', undefined, contribution('2026-02-01T10:00:00Z'), false],
  ])('tells whether the day edges are needed when %s', (_what, before, after, expected) => {
    expect(removesEdge(figures, before, after)).toBe(expected);
  });
});
