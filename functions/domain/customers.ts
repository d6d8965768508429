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
    otherCurrencies: {},
  };
}

function withChannel(channels: readonly string[], channelId: string): string[] {
  return channels.includes(channelId) ? [...channels] : [...channels, channelId];
}

/**
 * One purchase day of a customer, kept in an item of its own beside the
 * profile: the times (epoch ms, ascending) of the counted orders placed that
 * day. It grows with one day's orders only, never with the customer's history.
 */
export interface PurchaseDay {
  day: string;
  times: number[];
}

/** The stored purchase days and discount-code counts an order change touches, as read. */
export interface Counters {
  /** Day -> its times; a day absent here has no counted order. */
  days: Record<string, number[]>;
  /** Code -> how many counted orders used it; absent is none. */
  codes: Record<string, number>;
}

/** A counter item as read and as it must be written; an empty `after` deletes it. */
export interface DayChange {
  day: string;
  before: number[];
  after: number[];
}

export interface CodeChange {
  code: string;
  before: number;
  after: number;
}

/**
 * The earliest and latest stored purchase days (edgeDaysToRead of each, in
 * day order from each end), read when a change removes the customer's first
 * or last order.
 */
export interface DayEdges {
  earliest: PurchaseDay[];
  latest: PurchaseDay[];
}

/**
 * Days are store-local dates and times are instants, so across stores in
 * different offsets the earliest instant need not lie on the earliest day.
 * Offsets are less than a day from UTC, so it lies on the earliest day or one
 * of the two after it: three day items are enough. One more is read, since
 * the change itself may empty one of them.
 */
const edgeDaysUsed = 3;
export const edgeDaysToRead = edgeDaysUsed + 1;

/** What an order change does to its customer: the moved profile and the counter items to write with it. */
export interface FiguresMove {
  profile: CustomerProfile;
  days: DayChange[];
  codes: CodeChange[];
}

function sameSlot(before: Contribution | undefined, after: Contribution | undefined): boolean {
  return before !== undefined && after !== undefined && before.day === after.day && before.atMs === after.atMs;
}

/** Code -> +n / -n counted orders; codes the change leaves alone are not in it. */
function codeDeltas(before: Contribution | undefined, after: Contribution | undefined): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const code of new Set(before?.discountCodes)) deltas.set(code, (deltas.get(code) ?? 0) - 1);
  for (const code of new Set(after?.discountCodes)) deltas.set(code, (deltas.get(code) ?? 0) + 1);
  for (const [code, delta] of deltas) if (delta === 0) deltas.delete(code);
  return deltas;
}

/** The counter items a change from `before` to `after` reads and writes. */
export function countersTouched(
  before: Contribution | undefined,
  after: Contribution | undefined,
): { days: string[]; codes: string[] } {
  const days = sameSlot(before, after) ? [] : [...new Set([before?.day, after?.day])];
  return {
    days: days.filter((day): day is string => day !== undefined),
    codes: [...codeDeltas(before, after).keys()],
  };
}

/** True when the change takes away the order that is the customer's first or last: DayEdges are needed. */
export function removesEdge(
  figures: Pick<Figures, 'firstOrderAt' | 'lastOrderAt'>,
  before: Contribution | undefined,
  after: Contribution | undefined,
): boolean {
  if (!before || sameSlot(before, after)) return false;
  return [figures.firstOrderAt, figures.lastOrderAt].some((at) => at !== null && Date.parse(at) === before.atMs);
}

function dayChanges(before: Contribution | undefined, after: Contribution | undefined, stored: Counters['days']): DayChange[] {
  if (sameSlot(before, after)) return [];
  const next = new Map<string, number[]>();
  const timesOf = (day: string): number[] => next.get(day) ?? [...(stored[day] ?? [])];
  if (before) {
    const times = timesOf(before.day);
    const at = times.indexOf(before.atMs);
    if (at !== -1) times.splice(at, 1);
    next.set(before.day, times);
  }
  if (after) next.set(after.day, [...timesOf(after.day), after.atMs].sort((a, b) => a - b));
  return [...next]
    .map(([day, times]) => ({ day, before: stored[day] ?? [], after: times }))
    .filter((change) => change.before.join() !== change.after.join());
}

function codeChanges(before: Contribution | undefined, after: Contribution | undefined, stored: Counters['codes']): CodeChange[] {
  return [...codeDeltas(before, after)]
    .map(([code, delta]) => {
      const was = stored[code] ?? 0;
      return { code, before: was, after: Math.max(0, was + delta) };
    })
    .filter((change) => change.before !== change.after);
}

function shiftMoney(profile: CustomerProfile, contribution: Contribution, sign: 1 | -1): void {
  const { figures } = profile;
  figures.orders += sign;
  figures.currency ??= contribution.currency;
  if (contribution.currency === figures.currency) {
    figures.grossMinor += sign * contribution.grossMinor;
    figures.refundedMinor += sign * contribution.refundedMinor;
    return;
  }
  const other = (profile.otherCurrencies[contribution.currency] ??= { grossMinor: 0, refundedMinor: 0 });
  other.grossMinor += sign * contribution.grossMinor;
  other.refundedMinor += sign * contribution.refundedMinor;
  if (other.grossMinor === 0 && other.refundedMinor === 0) delete profile.otherCurrencies[contribution.currency];
}

/** The first and last order time once `days` are written, from the stored edges. */
function edgesAfter(edges: DayEdges, days: DayChange[]): { first: number | undefined; last: number | undefined } {
  const overlay = (stored: PurchaseDay[]): PurchaseDay[] => {
    const byDay = new Map(stored.map(({ day, times }) => [day, times]));
    for (const change of days) {
      if (change.after.length > 0) byDay.set(change.day, change.after);
      else byDay.delete(change.day);
    }
    return [...byDay].map(([day, times]) => ({ day, times }));
  };
  const earliest = overlay(edges.earliest).sort((a, b) => (a.day < b.day ? -1 : 1)).slice(0, edgeDaysUsed);
  const latest = overlay(edges.latest).sort((a, b) => (a.day < b.day ? 1 : -1)).slice(0, edgeDaysUsed);
  const firsts = earliest.flatMap(({ times }) => times.slice(0, 1));
  const lasts = latest.flatMap(({ times }) => times.slice(-1));
  return {
    first: firsts.length ? Math.min(...firsts) : undefined,
    last: lasts.length ? Math.max(...lasts) : undefined,
  };
}

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Moves the figures from an order's old contribution to its new one, by
 * deltas, and says which purchase-day and discount-code items move with them.
 * `stored` holds the items countersTouched names, as read; `edges` is needed
 * when removesEdge says so.
 */
export function moveFigures(
  profile: CustomerProfile,
  before: Contribution | undefined,
  after: Contribution | undefined,
  stored: Counters,
  edges?: DayEdges,
): FiguresMove {
  const next: CustomerProfile = structuredClone(profile);
  const { figures } = next;
  if (before) shiftMoney(next, before, -1);
  if (after) {
    shiftMoney(next, after, 1);
    next.channels = withChannel(next.channels, after.channelId);
  }
  figures.netMinor = figures.grossMinor - figures.refundedMinor;
  if (figures.orders === 0) figures.currency = null;

  const days = dayChanges(before, after, stored.days);
  const opened = days.filter((change) => change.before.length === 0 && change.after.length > 0).length;
  const closed = days.filter((change) => change.before.length > 0 && change.after.length === 0).length;
  figures.purchaseDays += opened - closed;

  let first = figures.firstOrderAt === null ? undefined : Date.parse(figures.firstOrderAt);
  let last = figures.lastOrderAt === null ? undefined : Date.parse(figures.lastOrderAt);
  if (removesEdge(profile.figures, before, after)) {
    if (!edges) throw new Error('moveFigures: the change removes the first or last order, and needs the day edges');
    ({ first, last } = edgesAfter(edges, days));
  }
  if (after && !sameSlot(before, after)) {
    first = first === undefined ? after.atMs : Math.min(first, after.atMs);
    last = last === undefined ? after.atMs : Math.max(last, after.atMs);
  }
  figures.firstOrderAt = isoOrNull(first);
  figures.lastOrderAt = isoOrNull(last);
  return { profile: next, days, codes: codeChanges(before, after, stored.codes) };
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

/**
 * The Customer of the admin API contract. Scores stay null until the first
 * rescore. `discountCodes` (read from the code items) only where the caller
 * read them: the customer page, not the list.
 */
/** What scoring says of a customer: absent until the customer is first scored. */
export interface ScoreView {
  segment: string | null;
  stage: string;
  scores: Record<'r' | 'f' | 'm' | 'pAlive' | 'expectedOrders90' | 'expectedOrders365' | 'clv12m', number | null> & {
    nextOrderAt: string | null;
  };
  asOf: string;
}

export function customerView(profile: CustomerProfile, discountCodes?: string[], score?: ScoreView) {
  return {
    id: profile.id,
    email: profile.email ?? null,
    name: displayName(profile),
    phone: profile.phone ?? null,
    channels: profile.channels,
    figures: profile.figures,
    otherCurrencies: profile.otherCurrencies,
    consent: { email: profile.consent.state, emailUpdatedAt: profile.consent.at ?? null },
    ...(discountCodes ? { discountCodes } : {}),
    segment: score?.segment ?? null,
    // Before the first score, the stage follows from the orders alone.
    stage: score?.stage ?? stageOf(profile.figures),
    scores: score?.scores ?? {
      r: null,
      f: null,
      m: null,
      pAlive: null,
      expectedOrders90: null,
      expectedOrders365: null,
      clv12m: null,
      nextOrderAt: null,
    },
    scoredAsOf: score?.asOf ?? null,
    redacted: profile.redactedAt !== undefined,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}
