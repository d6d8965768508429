import { describe, expect, it } from 'vitest';
import { retryBackoffSeconds, sendCampaign, type SendTask } from '../../functions/app/send-campaign';
import { ConflictError, CouponRejectedError, CouponUnavailableError } from '../../functions/shared/errors';
import { aCampaign, Crash, memoryCampaignWorld, type CrashPoint, type MemoryCampaignWorld } from '../support/memory-campaigns';

const settings = { from: 'shop@example.com', configurationSet: 'huitou' };
const task: SendTask = { campaignId: 'cmp_1', customerId: 'cus_1', occurrence: 'once', triggerId: 'job_1' };

/** Runs the task the way SQS does: again after every failure, until it ends. */
async function runToEnd(world: MemoryCampaignWorld, attempts = 5) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sendCampaign(world.ports, settings, task);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

describe('Use case: sendCampaign', () => {
  it('mints one code at the store, mails it with the unsubscribe headers, and records and counts the send', async () => {
    const world = memoryCampaignWorld();

    const outcome = await sendCampaign(world.ports, settings, task);

    expect(outcome).toEqual({ kind: 'sent', messageId: 'ses-1' });
    expect(world.created).toEqual(['HT-CODE-1']);
    expect(world.mails).toHaveLength(1);
    const [mail] = world.mails;
    expect(mail).toMatchObject({ to: 'ada@example.com', from: 'shop@example.com', configurationSet: 'huitou', tags: { campaign: 'cmp_1' } });
    expect(mail!.text).toContain('HT-CODE-1');
    expect(mail!.text).toContain('Ada');
    expect(world.couponRequests).toEqual([
      {
        code: 'HT-CODE-1',
        spec: { kind: 'percent', value: 15, expiresInDays: 14 },
        expiresAt: '2026-03-24T12:00:00.000Z',
        email: 'ada@example.com',
        platformCustomerId: '42',
        currency: 'EUR',
        title: 'huitou: Win back',
      },
    ]);
    expect(mail!.headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://shop.test/u/cus_1.cmp_1>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(world.records.get('cus_1#cmp_1#once')).toMatchObject({
      state: 'sent',
      messageId: 'ses-1',
      channelId: 'ch_shop',
      coupon: { code: 'HT-CODE-1', expiresAt: '2026-03-24T12:00:00.000Z' },
    });
    expect(Object.fromEntries(world.stats)).toEqual({ sent: 1 });
    expect(world.coupons.get('HT-CODE-1')).toMatchObject({ campaignId: 'cmp_1', customerId: 'cus_1', channelId: 'ch_shop' });
    expect(world.messages.get('ses-1')).toMatchObject({ email: 'ada@example.com' });
    expect(world.contact).toEqual({ sentAt: ['2026-03-10T12:00:00.000Z'], rev: 1 });
  });

  it('does nothing more when the same task comes again after it was sent', async () => {
    const world = memoryCampaignWorld();
    await sendCampaign(world.ports, settings, task);

    const again = await sendCampaign(world.ports, settings, { ...task, triggerId: 'job_2' });

    expect(again).toEqual({ kind: 'sent', messageId: 'ses-1' });
    expect(world.mails).toHaveLength(1);
    expect(world.created).toHaveLength(1);
    expect(world.stats.get('sent')).toBe(1);
  });

  const crashPoints: CrashPoint[] = [
    'before-claimed',
    'after-claimed',
    'before-approved',
    'after-approved',
    'before-coupon_pending',
    'after-coupon_pending',
    'before-coupon-create',
    'after-coupon-create',
    'before-mail_pending',
    'after-mail_pending',
    'before-mail',
    'after-mail',
    'before-sent',
    'after-sent',
  ];

  it.each(crashPoints)('mints at most one coupon and sends at most one mail after a crash at %s', async (point) => {
    const world = memoryCampaignWorld();
    world.crash = point;

    await expect(sendCampaign(world.ports, settings, task)).rejects.toBeInstanceOf(Crash);
    const outcome = await runToEnd(world);

    expect(world.mails.length).toBeLessThanOrEqual(1);
    expect(world.created.length).toBeLessThanOrEqual(1);
    expect(world.stats.get('sent') ?? 0).toBe(world.records.get('cus_1#cmp_1#once')?.state === 'sent' ? 1 : 0);
    // A mail that went out carries the one code the store created.
    for (const mail of world.mails) expect(mail.text).toContain(world.created[0]!);
    // The contact log holds exactly one slot for the one decision.
    expect(world.contact.sentAt).toEqual(['2026-03-10T12:00:00.000Z']);
    if (point === 'after-mail_pending' || point === 'before-mail' || point === 'after-mail' || point === 'before-sent') {
      // Between recording mail_pending and recording sent, the mail may or may not have left: never again.
      expect(outcome).toEqual({ kind: 'unconfirmed' });
      expect(world.records.get('cus_1#cmp_1#once')?.state).toBe('unconfirmed');
      expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'unconfirmed' });
      expect(world.stats.get('unconfirmed')).toBe(1);
    } else {
      expect(outcome.kind).toBe('sent');
      expect(world.mails).toHaveLength(1);
    }
  });

  it('never mails without a working code: a store that refuses drops the send and gives the cap slot back', async () => {
    const world = memoryCampaignWorld();
    world.couponFailure = new CouponRejectedError('401 from the store', 401);

    const outcome = await sendCampaign(world.ports, settings, task);

    expect(outcome).toEqual({ kind: 'dropped', reason: 'coupon_rejected' });
    expect(world.mails).toEqual([]);
    expect(Object.fromEntries(world.stats)).toEqual({ 'suppressed.coupon_rejected': 1 });
    expect(world.contact.sentAt).toEqual([]);
    expect(world.records.get('cus_1#cmp_1#once')).toMatchObject({ state: 'dropped', reason: 'coupon_rejected' });
  });

  it('gives back only its own cap slot when a store refuses, keeping the customer’s earlier mail', async () => {
    const world = memoryCampaignWorld();
    world.contact = { sentAt: ['2026-03-05T09:00:00.000Z'], rev: 4 };
    world.couponFailure = new CouponRejectedError('422 from the store', 422);

    await sendCampaign(world.ports, settings, task);

    expect(world.contact).toEqual({ sentAt: ['2026-03-05T09:00:00.000Z'], rev: 6 });
  });

  it('drops a coupon send when none of the customer’s stores issues codes', async () => {
    const world = memoryCampaignWorld();
    world.hasCouponProvider = false;

    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'dropped', reason: 'no_coupon_provider' });
    expect(world.mails).toEqual([]);
    expect(world.stats.get('suppressed.no_coupon_provider')).toBe(1);
  });

  it('lets a store that is down fail the attempt, and the retry mints the same code once', async () => {
    const world = memoryCampaignWorld();
    world.couponFailure = new CouponUnavailableError('503 from the store');

    await expect(sendCampaign(world.ports, settings, task)).rejects.toBeInstanceOf(CouponUnavailableError);
    expect(world.records.get('cus_1#cmp_1#once')?.state).toBe('coupon_pending');
    world.couponFailure = undefined;
    const outcome = await sendCampaign(world.ports, settings, task);

    expect(outcome.kind).toBe('sent');
    expect(world.created).toEqual(['HT-CODE-1']);
    expect(world.mails[0]!.text).toContain('HT-CODE-1');
  });

  it('drops a customer who did not consent, counts why once, and looks again only for a new trigger', async () => {
    const world = memoryCampaignWorld();
    world.customer.consent = { state: 'unknown' };

    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'dropped', reason: 'no_consent' });
    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'dropped', reason: 'no_consent' });
    expect(world.stats.get('suppressed.no_consent')).toBe(1);
    expect(world.created).toEqual([]);

    world.customer.consent = { state: 'subscribed' };
    const later = await sendCampaign(world.ports, settings, { ...task, triggerId: 'job_2' });

    expect(later.kind).toBe('sent');
    expect(world.mails).toHaveLength(1);
  });

  it.each([
    ['suppressed', (w: MemoryCampaignWorld): void => void (w.suppression = { reason: 'hard_bounce', at: '2026-01-01T00:00:00.000Z' })],
    ['open_complaint', (w: MemoryCampaignWorld): void => void (w.openComplaint = true)],
    ['frequency_cap', (w: MemoryCampaignWorld): void => void (w.contact = { sentAt: ['2026-03-10T08:00:00.000Z'], rev: 3 })],
    ['no_email', (w: MemoryCampaignWorld): void => void (w.customer.email = undefined)],
  ] as const)('drops for %s before any coupon or mail', async (reason, arrange) => {
    const world = memoryCampaignWorld();
    arrange(world);

    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'dropped', reason });
    expect(world.created).toEqual([]);
    expect(world.mails).toEqual([]);
    expect(Object.fromEntries(world.stats)).toEqual({ [`suppressed.${reason}`]: 1 });
  });

  it('drops a customer outside the audience', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ audience: { minOrders: 5 } }));

    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'dropped', reason: 'not_in_audience' });
    expect(world.mails).toEqual([]);
  });

  it('holds a holdout customer out, counted, with no coupon and no mail', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ holdoutPercent: 100 }));

    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'holdout' });
    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'holdout' });
    expect(Object.fromEntries(world.stats)).toEqual({ holdout: 1 });
    expect(world.created).toEqual([]);
    expect(world.mails).toEqual([]);
  });

  it('puts a send in quiet hours back on the queue, for at most 15 minutes, deciding nothing yet', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ quietHours: { start: '11:00', end: '14:00' } }));

    const outcome = await sendCampaign(world.ports, settings, task);

    expect(outcome).toEqual({ kind: 'deferred', until: '2026-03-10T14:00:00.000Z' });
    expect(world.deferred).toEqual([{ task, delaySeconds: 900 }]);
    expect(world.records.get('cus_1#cmp_1#once')?.state).toBe('claimed');
    expect(world.stats.size).toBe(0);
  });

  it('holds a send back only until quiet hours end when that is sooner than 15 minutes', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ quietHours: { start: '11:00', end: '12:05' } }));

    await sendCampaign(world.ports, settings, task);

    expect(world.deferred).toEqual([{ task, delaySeconds: 300 }]);
  });

  it('mails a campaign without a coupon without any code, and skips a campaign that is gone', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ coupon: null }));

    expect((await sendCampaign(world.ports, settings, task)).kind).toBe('sent');
    expect(world.couponRequests).toEqual([]);
    expect(world.mails[0]!.text).not.toMatch(/HT-/);
    expect(await sendCampaign(world.ports, settings, { ...task, campaignId: 'cmp_9' })).toEqual({ kind: 'skipped', why: 'campaign not found' });
  });

  it('counts as received only an earlier occurrence that was mailed', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ repeatAfterDays: 30, coupon: null }));
    world.customer.consent = { state: 'unknown' };
    await sendCampaign(world.ports, settings, { ...task, occurrence: 'a' });
    world.customer.consent = { state: 'subscribed' };

    expect((await sendCampaign(world.ports, settings, { ...task, occurrence: 'b' })).kind).toBe('sent');
  });

  it('sends nothing for a paused campaign', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ status: 'paused' }));

    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'skipped', why: 'campaign is paused' });
    expect(world.mails).toEqual([]);
    expect(world.stats.size).toBe(0);
  });

  it('sends transactional compensation without marketing consent, and leaves the marketing allowance alone', async () => {
    const world = memoryCampaignWorld();
    world.customer.consent = { state: 'unsubscribed' };
    world.openComplaint = true;
    world.campaigns.set('cmp_1', aCampaign({ message: { template: 'apology' }, coupon: null }));

    expect((await sendCampaign(world.ports, settings, task)).kind).toBe('sent');
    expect(world.created).toEqual([]);
    expect(world.contact).toEqual({ sentAt: [], rev: 0 });
  });

  it('decides again when another send took the customer’s cap slot meanwhile', async () => {
    const world = memoryCampaignWorld();
    const facts = world.ports.customers.facts;
    world.ports.customers.facts = async (customerId, campaignId) => {
      const read = await facts(customerId, campaignId);
      // Another campaign's send lands between this read and the approval.
      world.contact = { sentAt: ['2026-03-10T11:59:00.000Z'], rev: world.contact.rev + 1 };
      return read;
    };

    await expect(sendCampaign(world.ports, settings, task)).rejects.toBeInstanceOf(ConflictError);
    world.ports.customers.facts = facts;
    expect(await sendCampaign(world.ports, settings, task)).toEqual({ kind: 'dropped', reason: 'frequency_cap' });
    expect(world.mails).toEqual([]);
  });

  it('gives another occurrence of a repeating campaign only after repeatAfterDays', async () => {
    const world = memoryCampaignWorld();
    world.campaigns.set('cmp_1', aCampaign({ repeatAfterDays: 30, coupon: null }));
    await sendCampaign(world.ports, settings, { ...task, occurrence: 'a' });

    world.now = new Date('2026-03-20T12:00:00.000Z');
    expect(await sendCampaign(world.ports, settings, { ...task, occurrence: 'b' })).toEqual({ kind: 'dropped', reason: 'already_received' });
    world.now = new Date('2026-04-10T12:00:00.000Z');
    expect((await sendCampaign(world.ports, settings, { ...task, occurrence: 'c' })).kind).toBe('sent');
    expect(world.mails).toHaveLength(2);
  });

  it('backs a failed send off, doubling from 30 s to at most 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryBackoffSeconds)).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    expect(retryBackoffSeconds(0)).toBe(30);
  });
});
