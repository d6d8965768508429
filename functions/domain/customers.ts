// One customer across every channel, and the lifetime figures kept on it.
// Pure: counters move by the difference between an order's old and new
// contribution, so a duplicate (no difference) can never count twice.
import type { Contribution } from './orders';
import type { Address, CustomerFacts, EmailConsent } from './model';

export interface Figures {
  orders: number;
  purchaseDays: number;
  grossMinor: number;
  refundedMinor: number;
  netMinor: number;
  currency: string | null;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
}

export interface CustomerProfile {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency revision: every write expects the one it read. */
  rev: number;
  email?: string | undefined;
  phone?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  addresses?: Address[] | undefined;
  /** updatedAt of the source that last set the contact fields above. */
  factsAt?: string | undefined;
  consent: EmailConsent;
  channels: string[];
  /** channelId -> the platform's customer id. */
  channelCustomerIds: Record<string, string>;
  figures: Figures;
  /** Purchase day -> times (epoch ms) of the counted orders placed that day. */
  orderDays: Record<string, number[]>;
  /** Discount code -> how many counted orders used it. */
  discountCodes: Record<string, number>;
  /** Money of orders in a currency other than `figures.currency`, kept apart. */
  otherCurrencies: Record<string, { grossMinor: number; refundedMinor: number }>;
  redactedAt?: string | undefined;
}

export function newProfile(id: string, now: string): CustomerProfile {
  return {
    id,
    createdAt: now,
    updatedAt: now,
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
    orderDays: {},
    discountCodes: {},
    otherCurrencies: {},
  };
}

function withChannel(channels: readonly string[], channelId: string): string[] {
  return channels.includes(channelId) ? [...channels] : [...channels, channelId];
}

function shift(
  profile: CustomerProfile,
  contribution: Contribution,
  sign: 1 | -1,
): void {
  const { figures } = profile;
  figures.orders += sign;
  figures.currency ??= contribution.currency;
  if (contribution.currency === figures.currency) {
    figures.grossMinor += sign * contribution.grossMinor;
    figures.refundedMinor += sign * contribution.refundedMinor;
  } else {
    const other = (profile.otherCurrencies[contribution.currency] ??= { grossMinor: 0, refundedMinor: 0 });
    other.grossMinor += sign * contribution.grossMinor;
    other.refundedMinor += sign * contribution.refundedMinor;
    if (other.grossMinor === 0 && other.refundedMinor === 0) delete profile.otherCurrencies[contribution.currency];
  }
  const times = profile.orderDays[contribution.day] ?? [];
  if (sign === 1) {
    profile.orderDays[contribution.day] = [...times, contribution.atMs].sort((a, b) => a - b);
  } else {
    const at = times.indexOf(contribution.atMs);
    const left = at === -1 ? times.slice(1) : [...times.slice(0, at), ...times.slice(at + 1)];
    if (left.length === 0) delete profile.orderDays[contribution.day];
    else profile.orderDays[contribution.day] = left;
  }
  for (const code of contribution.discountCodes) {
    const count = (profile.discountCodes[code] ?? 0) + sign;
    if (count > 0) profile.discountCodes[code] = count;
    else delete profile.discountCodes[code];
  }
}

/** Moves the figures from an order's old contribution to its new one. */
export function applyContribution(
  profile: CustomerProfile,
  before: Contribution | undefined,
  after: Contribution | undefined,
): CustomerProfile {
  const next: CustomerProfile = structuredClone(profile);
  if (before) shift(next, before, -1);
  if (after) {
    shift(next, after, 1);
    next.channels = withChannel(next.channels, after.channelId);
  }
  const { figures } = next;
  figures.netMinor = figures.grossMinor - figures.refundedMinor;
  const days = Object.keys(next.orderDays);
  figures.purchaseDays = days.length;
  const times = days.flatMap((day) => next.orderDays[day] ?? []).filter(Number.isFinite);
  figures.firstOrderAt = times.length ? new Date(Math.min(...times)).toISOString() : null;
  figures.lastOrderAt = times.length ? new Date(Math.max(...times)).toISOString() : null;
  if (figures.orders === 0) figures.currency = null;
  return next;
}

function consentAfter(current: EmailConsent, incoming: EmailConsent | undefined): EmailConsent {
  if (!incoming || incoming.state === 'unknown') return current;
  // A dated statement replaces an older or undated one; an undated one only fills a gap.
  if (incoming.at === undefined) return current.state === 'unknown' ? incoming : current;
  if (current.at === undefined || Date.parse(incoming.at) >= Date.parse(current.at)) return incoming;
  return current;
}

/** Takes what a source says about the person: newer contact details win, older never erase. */
export function applyFacts(
  profile: CustomerProfile,
  facts: CustomerFacts,
  channelId: string,
  observedAt: string,
): CustomerProfile {
  const next: CustomerProfile = structuredClone(profile);
  const newer = next.factsAt === undefined || Date.parse(observedAt) >= Date.parse(next.factsAt);
  const take = <K extends 'email' | 'phone' | 'firstName' | 'lastName'>(field: K): void => {
    const value = facts[field];
    if (value !== undefined && value !== '' && (newer || next[field] === undefined)) next[field] = value;
  };
  take('email');
  take('phone');
  take('firstName');
  take('lastName');
  if (facts.addresses?.length && (newer || !next.addresses?.length)) next.addresses = facts.addresses;
  if (newer) next.factsAt = observedAt;
  next.consent = consentAfter(next.consent, facts.consent);
  next.channels = withChannel(next.channels, channelId);
  if (facts.channelCustomerId !== undefined) next.channelCustomerIds[channelId] = facts.channelCustomerId;
  return next;
}

export type LifecycleStage = 'prospect' | 'first_time' | 'repeat';

/** The stage that order counts alone decide; scoring refines it later. */
export function stageOf(figures: Pick<Figures, 'orders'>): LifecycleStage {
  if (figures.orders === 0) return 'prospect';
  return figures.orders === 1 ? 'first_time' : 'repeat';
}

export function displayName(profile: Pick<CustomerProfile, 'firstName' | 'lastName'>): string | null {
  const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ').trim();
  return name === '' ? null : name;
}

/** The profile with every personal detail gone; the anonymous figures stay. */
export function redactedProfile(profile: CustomerProfile, now: string): CustomerProfile {
  const {
    email: _email,
    phone: _phone,
    firstName: _firstName,
    lastName: _lastName,
    addresses: _addresses,
    factsAt: _factsAt,
    ...kept
  } = profile;
  return {
    ...structuredClone(kept),
    consent: { state: 'unknown' },
    channelCustomerIds: {},
    redactedAt: now,
    updatedAt: now,
  };
}

/** The Customer of the admin API contract. Scores stay null until the first rescore. */
export function customerView(profile: CustomerProfile) {
  return {
    id: profile.id,
    email: profile.email ?? null,
    name: displayName(profile),
    phone: profile.phone ?? null,
    channels: profile.channels,
    figures: profile.figures,
    otherCurrencies: profile.otherCurrencies,
    consent: { email: profile.consent.state, emailUpdatedAt: profile.consent.at ?? null },
    discountCodes: Object.keys(profile.discountCodes),
    segment: null,
    stage: stageOf(profile.figures),
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
    redacted: profile.redactedAt !== undefined,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}
