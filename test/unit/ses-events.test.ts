import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageStatus, SuppressionReason } from '../../functions/app/campaign-ports';
import {
  afterSoftBounce,
  feedbackOf,
  nextStatus,
  replaceableBy,
  sesEventSchema,
  softBounceLimit,
} from '../../functions/domain/campaigns/ses-events';
import { bounce, sesEvent } from '../support/ses-events';

const parse = (event: Record<string, unknown>) => sesEventSchema.parse(event);
const sentAt = '2026-03-01T10:00:00.000Z';

describe('Schema: sesEventSchema', () => {
  it('takes an EventBridge SES event and ignores fields it does not read', () => {
    const event = parse(sesEvent('Delivery', 'm1', { delivery: { timestamp: '2026-03-01T10:00:02.000Z', smtpResponse: '250' } }));
    expect(event.detail.mail.messageId).toBe('m1');
    expect(event.detail.delivery?.timestamp).toBe('2026-03-01T10:00:02.000Z');
  });

  it('takes times with an offset, as well as in UTC', () => {
    const at = '2026-03-01T12:00:05+02:00';
    const extra = {
      bounce: { bounceType: 'Permanent', timestamp: at },
      complaint: { timestamp: at },
      delivery: { timestamp: at },
      open: { timestamp: at },
      click: { timestamp: at },
    };
    const event = parse(sesEvent('Bounce', 'm1', extra, { sentAt: '2026-03-01T12:00:00+02:00' }));
    expect(event.detail.bounce?.timestamp).toBe(at);
  });

  it('refuses an event from another source, of an unknown type, or without a message id', () => {
    expect(sesEventSchema.safeParse({ ...sesEvent('Send', 'm1'), source: 'aws.sns' }).success).toBe(false);
    expect(sesEventSchema.safeParse(sesEvent('Unknown', 'm1')).success).toBe(false);
    expect(sesEventSchema.safeParse(sesEvent('Send', '')).success).toBe(false);
    expect(sesEventSchema.safeParse(sesEvent('Send', 'm'.repeat(256))).success).toBe(false);
  });
});

describe('Function: feedbackOf', () => {
  it('moves a delivery, an open and a click to their status and counter, at their own time', () => {
    expect(feedbackOf(parse(sesEvent('Delivery', 'm', { delivery: { timestamp: '2026-03-01T10:00:02Z' } })))).toEqual({
      key: 'Delivery',
      at: '2026-03-01T10:00:02Z',
      status: 'delivered',
      counter: 'delivered',
      suppress: undefined,
      softBounce: false,
    });
    expect(feedbackOf(parse(sesEvent('Open', 'm', { open: { timestamp: '2026-03-01T11:00:00Z' } })))).toMatchObject({
      key: 'Open',
      at: '2026-03-01T11:00:00Z',
      status: 'opened',
      counter: 'opened',
    });
    expect(feedbackOf(parse(sesEvent('Click', 'm', { click: { timestamp: '2026-03-01T12:00:00Z' } })))).toMatchObject({
      key: 'Click',
      at: '2026-03-01T12:00:00Z',
      status: 'clicked',
      counter: 'clicked',
    });
  });

  it('falls back to the send time when an event carries none of its own', () => {
    for (const type of ['Delivery', 'Open', 'Click', 'Send']) expect(feedbackOf(parse(sesEvent(type, 'm'))).at).toBe(sentAt);
  });

  it('suppresses at once on a permanent bounce and counts it bounced', () => {
    expect(feedbackOf(parse(sesEvent('Bounce', 'm', bounce('Permanent'))))).toEqual({
      key: 'Bounce',
      at: '2026-03-01T10:00:05.000Z',
      status: 'bounced',
      counter: 'bounced',
      suppress: 'hard_bounce',
      softBounce: false,
    });
  });

  it.each(['Transient', 'Undetermined'])('counts a %s bounce as a soft bounce, not as bounced', (type) => {
    expect(feedbackOf(parse(sesEvent('Bounce', 'm', bounce(type))))).toEqual({
      key: 'Bounce',
      at: '2026-03-01T10:00:05.000Z',
      status: 'soft_bounced',
      counter: undefined,
      suppress: undefined,
      softBounce: true,
    });
  });

  it('reads a bounce or a complaint that carries no object of its own as a soft bounce and a complaint, at the send time', () => {
    expect(feedbackOf(parse(sesEvent('Bounce', 'm')))).toMatchObject({ at: sentAt, status: 'soft_bounced', softBounce: true });
    expect(feedbackOf(parse(sesEvent('Complaint', 'm')))).toMatchObject({ at: sentAt, status: 'complained', suppress: 'complaint' });
  });

  it('suppresses on a complaint, and only records a not-spam report', () => {
    const complaint = (type?: string) => ({ complaint: { timestamp: '2026-03-02T00:00:00Z', complaintFeedbackType: type } });
    expect(feedbackOf(parse(sesEvent('Complaint', 'm', complaint('abuse'))))).toEqual({
      key: 'Complaint',
      at: '2026-03-02T00:00:00Z',
      status: 'complained',
      counter: 'complained',
      suppress: 'complaint',
      softBounce: false,
    });
    expect(feedbackOf(parse(sesEvent('Complaint', 'm', complaint())))).toMatchObject({ suppress: 'complaint' });
    expect(feedbackOf(parse(sesEvent('Complaint', 'm', complaint('not-spam'))))).toEqual({
      key: 'Complaint:not-spam',
      at: '2026-03-02T00:00:00Z',
      status: undefined,
      counter: undefined,
      suppress: undefined,
      softBounce: false,
    });
  });

  it.each(['Send', 'Reject', 'Rendering Failure', 'DeliveryDelay', 'Subscription'])('only records a %s event', (type) => {
    expect(feedbackOf(parse(sesEvent(type, 'm')))).toEqual({
      key: type,
      at: sentAt,
      status: undefined,
      counter: undefined,
      suppress: undefined,
      softBounce: false,
    });
  });
});

describe('Function: nextStatus', () => {
  const order: MessageStatus[] = ['sent', 'delivered', 'opened', 'clicked', 'soft_bounced', 'bounced', 'complained'];

  it('moves forward only, whatever order the events come in', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...order, undefined)), (incoming) => {
        const final = incoming.reduce<MessageStatus>((status, next) => nextStatus(status, next), 'sent');
        const highest = Math.max(0, ...incoming.map((s) => (s === undefined ? 0 : order.indexOf(s))));
        expect(final).toBe(order[highest]);
      }),
    );
  });

  it('keeps the status for an event without one, and lets bounce and complaint win over an open', () => {
    expect(nextStatus('opened', undefined)).toBe('opened');
    expect(nextStatus('clicked', 'delivered')).toBe('clicked');
    expect(nextStatus('clicked', 'clicked')).toBe('clicked');
    expect(nextStatus('opened', 'bounced')).toBe('bounced');
    expect(nextStatus('bounced', 'complained')).toBe('complained');
    expect(nextStatus('complained', 'bounced')).toBe('complained');
  });
});

describe('Function: afterSoftBounce', () => {
  const now = new Date('2026-03-31T00:00:00Z');

  it('suppresses at the third soft bounce within 30 days', () => {
    const first = afterSoftBounce([], { messageId: 'a', at: '2026-03-10T00:00:00Z' }, now);
    expect(first).toEqual({ recent: [{ messageId: 'a', at: '2026-03-10T00:00:00Z' }], count: 1, suppress: false });
    const second = afterSoftBounce(first.recent, { messageId: 'b', at: '2026-03-20T00:00:00Z' }, now);
    expect(second).toMatchObject({ count: 2, suppress: false });
    const third = afterSoftBounce(second.recent, { messageId: 'c', at: '2026-03-30T00:00:00Z' }, now);
    expect(third).toMatchObject({ count: softBounceLimit, suppress: true });
    expect(third.recent.map((b) => b.messageId)).toEqual(['a', 'b', 'c']);
  });

  it('forgets bounces older than 30 days, keeping one exactly 30 days old', () => {
    const recent = [
      { messageId: 'old', at: '2026-02-28T23:59:59Z' },
      { messageId: 'edge', at: '2026-03-01T00:00:00Z' },
    ];
    const result = afterSoftBounce(recent, { messageId: 'new', at: '2026-03-30T00:00:00Z' }, now);
    expect(result.recent.map((b) => b.messageId)).toEqual(['edge', 'new']);
    expect(result).toMatchObject({ count: 2, suppress: false });
  });

  it('does not count a repeated bounce of the same message twice', () => {
    const recent = [
      { messageId: 'a', at: '2026-03-10T00:00:00Z' },
      { messageId: 'b', at: '2026-03-11T00:00:00Z' },
    ];
    const result = afterSoftBounce(recent, { messageId: 'b', at: '2026-03-11T00:00:00Z' }, now);
    expect(result).toEqual({ recent, count: 2, suppress: false });
  });

  it('counts a bounce exactly 30 days old', () => {
    expect(afterSoftBounce([], { messageId: 'a', at: '2026-03-01T00:00:00Z' }, now).count).toBe(1);
  });

  it('does not count a bounce that is itself older than the window, and keeps the list in time order', () => {
    const result = afterSoftBounce([{ messageId: 'a', at: '2026-03-20T00:00:00Z' }], { messageId: 'b', at: '2026-01-01T00:00:00Z' }, now);
    expect(result.recent).toEqual([{ messageId: 'a', at: '2026-03-20T00:00:00Z' }]);
    const sorted = afterSoftBounce([{ messageId: 'a', at: '2026-03-20T00:00:00Z' }], { messageId: 'b', at: '2026-03-05T00:00:00Z' }, now);
    expect(sorted.recent.map((b) => b.messageId)).toEqual(['b', 'a']);
  });
});

describe('Function: replaceableBy', () => {
  const strength: Record<SuppressionReason, number> = { unsubscribe: 0, staff: 1, soft_bounces: 2, hard_bounce: 3, complaint: 3 };
  const reasons = Object.keys(strength) as SuppressionReason[];

  it('lets a reason replace exactly the weaker ones', () => {
    for (const next of reasons) {
      expect(replaceableBy(next).sort()).toEqual(reasons.filter((r) => strength[r] < strength[next]).sort());
    }
  });
});
