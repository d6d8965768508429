import { describe, expect, it } from 'vitest';
import {
  applyFacts,
  customerView,
  displayName,
  moveFigures,
  newProfile,
  redactedProfile,
  stageOf,
  type CustomerProfile,
} from '../../functions/domain/customers';
import type { Contribution } from '../../functions/domain/orders';

const created = '2026-03-01T00:00:00.000Z';

function aContribution(overrides: Partial<Contribution> = {}): Contribution {
  return {
    channelId: 'ch_shop',
    day: '2026-03-01',
    atMs: Date.parse('2026-03-01T15:00:00Z'),
    currency: 'USD',
    grossMinor: 5000,
    refundedMinor: 0,
    discountCodes: [],
    ...overrides,
  };
}

/** A new profile after its first order was counted. */
function counted(contribution: Contribution): CustomerProfile {
  return moveFigures(newProfile('c_1', created), undefined, contribution, { days: {}, codes: {} }).profile;
}

describe('Function: newProfile', () => {
  it('starts with no order, no channel and unknown consent', () => {
    expect(newProfile('c_1', created)).toEqual({
      id: 'c_1',
      createdAt: created,
      updatedAt: created,
      rev: 0,
      consent: { state: 'unknown' },
      channels: [],
      channelCustomerIds: {},
      figures: {
        orders: 0,
        purchaseDays: 0,
        grossMinor: 0,
        refundedMinor: 0,
        netMinor: 0,
        currency: null,
        firstOrderAt: null,
        lastOrderAt: null,
      },
      otherCurrencies: {},
    });
  });
});

describe('Function: applyFacts', () => {
  const at = '2026-03-01T10:00:00Z';
  const later = '2026-03-02T10:00:00Z';
  const earlier = '2026-02-01T10:00:00Z';
  const home = { address1: '1 Main St', city: 'Springfield' };
  const work = { address1: '9 Office Rd', city: 'Shelbyville' };

  /** A profile that knows every contact detail of Ada, observed at `at`. */
  const known = (): CustomerProfile =>
    applyFacts(
      newProfile('c_1', created),
      {
        email: 'ada@example.com',
        phone: '+15550001111',
        firstName: 'Ada',
        lastName: 'Lovelace',
        addresses: [home],
        channelCustomerId: '42',
      },
      'ch_shop',
      at,
    );

  it('takes every fact into a new profile', () => {
    expect(known()).toMatchObject({
      email: 'ada@example.com',
      phone: '+15550001111',
      firstName: 'Ada',
      lastName: 'Lovelace',
      addresses: [home],
      factsAt: at,
      channels: ['ch_shop'],
      channelCustomerIds: { ch_shop: '42' },
    });
  });

  it('lets newer contact details replace the kept ones', () => {
    const next = applyFacts(
      known(),
      { email: 'ada@new.example', phone: '+15559999999', firstName: 'Augusta', lastName: 'King', addresses: [work] },
      'ch_shop',
      later,
    );

    expect(next).toMatchObject({
      email: 'ada@new.example',
      phone: '+15559999999',
      firstName: 'Augusta',
      lastName: 'King',
      addresses: [work],
      factsAt: later,
    });
  });

  it('takes details observed at the same instant as the kept ones', () => {
    expect(applyFacts(known(), { email: 'same@example.com' }, 'ch_shop', at).email).toBe('same@example.com');
  });

  it('never lets older details overwrite, but lets them fill gaps', () => {
    const sparse = applyFacts(newProfile('c_1', created), { email: 'ada@example.com' }, 'ch_shop', at);

    const next = applyFacts(
      sparse,
      { email: 'old@example.com', phone: '+15550002222', firstName: 'A', lastName: 'L', addresses: [work] },
      'ch_shop',
      earlier,
    );

    expect(next).toMatchObject({
      email: 'ada@example.com',
      phone: '+15550002222',
      firstName: 'A',
      lastName: 'L',
      addresses: [work],
      factsAt: at,
    });
  });

  it('keeps the addresses when older ones arrive', () => {
    expect(applyFacts(known(), { addresses: [work] }, 'ch_shop', earlier).addresses).toEqual([home]);
  });

  it('ignores empty values and an empty address list, however new', () => {
    const next = applyFacts(known(), { email: '', firstName: '', addresses: [] }, 'ch_shop', later);

    expect(next).toMatchObject({ email: 'ada@example.com', firstName: 'Ada', addresses: [home] });
  });

  it('records no customer id for a channel that gave none', () => {
    expect(applyFacts(known(), { email: 'ada@example.com' }, 'ch_woo', later).channelCustomerIds).toStrictEqual({ ch_shop: '42' });
  });

  it('adds the channel once and records its customer id', () => {
    const next = applyFacts(applyFacts(known(), {}, 'ch_woo', later), { channelCustomerId: '7' }, 'ch_woo', later);

    expect(next.channels).toEqual(['ch_shop', 'ch_woo']);
    expect(next.channelCustomerIds).toEqual({ ch_shop: '42', ch_woo: '7' });
  });

  it('leaves the profile it was given untouched', () => {
    const profile = known();
    const copy = structuredClone(profile);

    applyFacts(profile, { email: 'x@example.com', channelCustomerId: '9' }, 'ch_other', later);

    expect(profile).toEqual(copy);
  });

  describe('consent', () => {
    const subscribed = { state: 'subscribed', at } as const;

    it('takes a dated statement over an older one', () => {
      const profile = applyFacts(known(), { consent: subscribed }, 'ch_shop', at);

      const next = applyFacts(profile, { consent: { state: 'unsubscribed', at: later } }, 'ch_shop', at);

      expect(next.consent).toEqual({ state: 'unsubscribed', at: later });
    });

    it('takes a dated statement made at the same instant', () => {
      const profile = applyFacts(known(), { consent: subscribed }, 'ch_shop', at);

      expect(applyFacts(profile, { consent: { state: 'unsubscribed', at } }, 'ch_shop', at).consent.state).toBe(
        'unsubscribed',
      );
    });

    it('keeps a dated statement against an older one', () => {
      const profile = applyFacts(known(), { consent: { state: 'unsubscribed', at: later } }, 'ch_shop', at);

      expect(applyFacts(profile, { consent: subscribed }, 'ch_shop', later).consent).toEqual({
        state: 'unsubscribed',
        at: later,
      });
    });

    it('lets a dated statement replace an undated one', () => {
      const profile = applyFacts(known(), { consent: { state: 'unsubscribed' } }, 'ch_shop', at);

      expect(applyFacts(profile, { consent: subscribed }, 'ch_shop', at).consent).toEqual(subscribed);
    });

    it('lets an undated statement only fill a gap', () => {
      const filled = applyFacts(known(), { consent: { state: 'subscribed' } }, 'ch_shop', at);
      expect(filled.consent).toEqual({ state: 'subscribed' });

      const kept = applyFacts(filled, { consent: { state: 'unsubscribed' } }, 'ch_shop', later);
      expect(kept.consent).toEqual({ state: 'subscribed' });
    });

    it('ignores a statement that says nothing', () => {
      const profile = applyFacts(known(), { consent: subscribed }, 'ch_shop', at);

      expect(applyFacts(profile, { consent: { state: 'unknown', at: later } }, 'ch_shop', later).consent).toEqual(subscribed);
      expect(applyFacts(profile, {}, 'ch_shop', later).consent).toEqual(subscribed);
    });
  });
});

describe('Function: stageOf', () => {
  it('calls a customer without orders a prospect, with one first_time, with more repeat', () => {
    expect(stageOf({ orders: 0 })).toBe('prospect');
    expect(stageOf({ orders: 1 })).toBe('first_time');
    expect(stageOf({ orders: 2 })).toBe('repeat');
    expect(stageOf({ orders: 40 })).toBe('repeat');
  });
});

describe('Function: displayName', () => {
  it('joins the first and last name, or gives whichever is known', () => {
    expect(displayName({ firstName: 'Ada', lastName: 'Lovelace' })).toBe('Ada Lovelace');
    expect(displayName({ firstName: 'Ada' })).toBe('Ada');
    expect(displayName({ lastName: 'Lovelace' })).toBe('Lovelace');
  });

  it('is null when no name is known', () => {
    expect(displayName({})).toBeNull();
    expect(displayName({ firstName: '', lastName: '' })).toBeNull();
    expect(displayName({ firstName: ' ' })).toBeNull();
  });
});

describe('Function: redactedProfile', () => {
  const redactedAt = '2026-04-01T00:00:00.000Z';
  const person = (): CustomerProfile =>
    applyFacts(
      counted(aContribution()),
      {
        email: 'ada@example.com',
        phone: '+15550001111',
        firstName: 'Ada',
        lastName: 'Lovelace',
        addresses: [{ city: 'London' }],
        consent: { state: 'subscribed', at: created },
        channelCustomerId: '42',
      },
      'ch_shop',
      created,
    );

  it('removes every personal detail and keeps the anonymous figures', () => {
    const redacted = redactedProfile(person(), redactedAt);

    for (const field of ['email', 'phone', 'firstName', 'lastName', 'addresses', 'factsAt']) {
      expect(redacted).not.toHaveProperty(field);
    }
    expect(redacted).toMatchObject({
      id: 'c_1',
      consent: { state: 'unknown' },
      channelCustomerIds: {},
      channels: ['ch_shop'],
      figures: person().figures,
      redactedAt,
      updatedAt: redactedAt,
      createdAt: created,
    });
  });

  it('shares nothing with the profile it was given', () => {
    const original = person();
    const redacted = redactedProfile(original, redactedAt);
    redacted.figures.orders = 99;
    redacted.channels.push('ch_x');

    expect(original.figures.orders).toBe(1);
    expect(original.channels).toEqual(['ch_shop']);
  });
});

describe('Function: customerView', () => {
  it('shows a customer as the admin API contract says, scores null until the first rescore', () => {
    const profile = applyFacts(
      counted(aContribution()),
      { email: 'ada@example.com', phone: '+15550001111', firstName: 'Ada', consent: { state: 'subscribed', at: created } },
      'ch_shop',
      created,
    );

    expect(customerView(profile, ['SPRING'])).toEqual({
      id: 'c_1',
      email: 'ada@example.com',
      name: 'Ada',
      phone: '+15550001111',
      channels: ['ch_shop'],
      figures: profile.figures,
      otherCurrencies: {},
      consent: { email: 'subscribed', emailUpdatedAt: created },
      discountCodes: ['SPRING'],
      segment: null,
      stage: 'first_time',
      scores: {
        r: null,
        f: null,
        m: null,
        pAlive: null,
        expectedOrders90: null,
        expectedOrders365: null,
        clv12m: null,
        nextOrderAt: null,
      },
      scoredAsOf: null,
      redacted: false,
      createdAt: created,
      updatedAt: created,
    });
  });

  it('shows the segment, stage and scores of a scored customer, and the day they are as of', () => {
    const profile = newProfile('c_1', created);
    const scores = { r: 5, f: 2, m: 3, pAlive: 0.91, expectedOrders90: 0.4, expectedOrders365: 1.2, clv12m: 48.5, nextOrderAt: '2026-05-01' };

    const view = customerView(profile, undefined, { segment: 'potential_loyalist', stage: 'repeat', scores, asOf: '2026-04-01' });

    expect(view).toMatchObject({ segment: 'potential_loyalist', stage: 'repeat', scores, scoredAsOf: '2026-04-01' });
  });

  it('shows unknown contact details as null, a redacted customer as redacted, and no codes it was not given', () => {
    const view = customerView(redactedProfile(newProfile('c_1', created), '2026-04-01T00:00:00.000Z'));

    expect(view).toMatchObject({
      email: null,
      name: null,
      phone: null,
      consent: { email: 'unknown', emailUpdatedAt: null },
      stage: 'prospect',
      redacted: true,
    });
    expect(view).not.toHaveProperty('discountCodes');
  });
});

describe('Function: moveFigures, money in a second currency', () => {
  /** Moves `profile` from `before` to `after`; the money in other currencies does not depend on the day and code items. */
  const move = (profile: CustomerProfile, before: Contribution | undefined, after: Contribution | undefined) =>
    moveFigures(profile, before, after, { days: {}, codes: {} }, { earliest: [], latest: [] }).profile;
  const dollars = aContribution();
  const euros = aContribution({ currency: 'EUR', grossMinor: 900, refundedMinor: 100, atMs: dollars.atMs + 1 });

  it('keeps a second currency apart from the figures, and drops it when its order goes', () => {
    const profile = move(counted(dollars), undefined, euros);

    expect(profile.figures).toMatchObject({ orders: 2, grossMinor: 5000, refundedMinor: 0, currency: 'USD' });
    expect(profile.otherCurrencies).toEqual({ EUR: { grossMinor: 900, refundedMinor: 100 } });
    expect(move(profile, euros, undefined).otherCurrencies).toEqual({});
  });

  it('keeps a second-currency entry while any of its money remains', () => {
    const refundedOnly = aContribution({ currency: 'EUR', grossMinor: 0, refundedMinor: 100, atMs: dollars.atMs + 2 });
    const paid = aContribution({ currency: 'EUR', grossMinor: 900, refundedMinor: 0, atMs: dollars.atMs + 3 });
    const profile = move(move(counted(dollars), undefined, refundedOnly), undefined, paid);

    expect(move(profile, paid, undefined).otherCurrencies).toEqual({ EUR: { grossMinor: 0, refundedMinor: 100 } });
    expect(move(profile, refundedOnly, undefined).otherCurrencies).toEqual({ EUR: { grossMinor: 900, refundedMinor: 0 } });
  });
});
