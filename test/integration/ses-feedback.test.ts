// Mail through the real mailer to the local SES, whose events come back the
// way the configuration set sends them on AWS (bin/local/ses-events.ts):
// the sesEvents queue, the sesFeedback function, the message records,
// suppressions and campaign counters. Then the unsubscribe link: GET shows a
// page and changes nothing, the RFC 8058 one-click POST unsubscribes.
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignStatsStore } from '../../functions/adapters/campaign-stats';
import { profileItem } from '../../functions/adapters/customer-store';
import { documentClient } from '../../functions/adapters/dynamo-client';
import { itemKeys } from '../../functions/adapters/dynamo-keys';
import { SesMailer } from '../../functions/adapters/ses-mailer';
import { unsubscribeSigningKey } from '../../functions/adapters/signing-key';
import { emailDigest, suppressionOf } from '../../functions/adapters/suppression-store';
import type { MessageRecord, MessageStatus } from '../../functions/app/campaign-ports';
import { signUnsubscribeToken, unsubscribeHeaders, unsubscribeUrl } from '../../functions/domain/campaigns/unsubscribe-token';
import { newProfile } from '../../functions/domain/customers';
import { startTestStack, type TestStack } from '../support/stack';

let t: TestStack;
const campaignId = `cmp_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  t = await startTestStack();
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

/** Sends one mail as the sender does (real mailer, the stack's sender and configuration set) and records it. */
async function sendAndRecord(to: string, customerId = 'cus_00ff'): Promise<string> {
  const url = unsubscribeUrl(t.stack.apiUrl, 'token-for-the-view');
  const { messageId } = await new SesMailer().send({
    to,
    from: t.stack.email.from,
    subject: 'We miss you',
    html: '<p>Come back</p>',
    text: 'Come back',
    headers: unsubscribeHeaders(url),
    configurationSet: t.stack.email.configurationSet,
    tags: { campaign: campaignId },
  });
  const record: MessageRecord = {
    messageId,
    campaignId,
    customerId,
    email: to,
    sentAt: new Date().toISOString(),
    status: 'sent',
    events: [],
  };
  await documentClient().send(new PutCommand({ TableName: t.stack.tableName, Item: { ...itemKeys.message(messageId), ...record } }));
  return messageId;
}

async function message(messageId: string): Promise<MessageRecord & { eventKeys?: string[] }> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: t.stack.tableName, Key: itemKeys.message(messageId), ConsistentRead: true }),
  );
  return Item as MessageRecord;
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const settledAs = (messageId: string, status: MessageStatus, keys: string[]) =>
  waitFor(
    `${messageId} ${status}`,
    () => message(messageId),
    (m) => m.status === status && keys.every((key) => m.events.some((e) => e.type === key)),
  );

describe('SES feedback through the local stack', () => {
  it('turns the mailbox simulator into statuses, suppressions and counters', async () => {
    const bounced = await sendAndRecord('bounce@simulator.amazonses.com');
    const complained = await sendAndRecord('complaint@simulator.amazonses.com');
    const outOfOffice = await sendAndRecord('ooto@simulator.amazonses.com');
    const delivered = await sendAndRecord('success@simulator.amazonses.com');

    expect((await settledAs(bounced, 'bounced', ['Send', 'Bounce'])).events.map((e) => e.type).sort()).toEqual(['Bounce', 'Send']);
    expect((await settledAs(complained, 'complained', ['Send', 'Delivery', 'Complaint'])).events).toHaveLength(3);
    expect((await settledAs(outOfOffice, 'soft_bounced', ['Send', 'Delivery', 'Bounce'])).events).toHaveLength(3);
    expect((await settledAs(delivered, 'delivered', ['Send', 'Delivery'])).events).toHaveLength(2);

    expect(await suppressionOf(t.stack.tableName, 'bounce@simulator.amazonses.com')).toMatchObject({ reason: 'hard_bounce' });
    expect(await suppressionOf(t.stack.tableName, 'Complaint@Simulator.amazonses.com ')).toMatchObject({ reason: 'complaint' });
    expect(await suppressionOf(t.stack.tableName, 'ooto@simulator.amazonses.com')).toBeNull();
    expect(await suppressionOf(t.stack.tableName, 'success@simulator.amazonses.com')).toBeNull();
    expect(await new DynamoCampaignStatsStore(t.stack.tableName).read(campaignId)).toEqual({ delivered: 3, bounced: 1, complained: 1 });
  }, 60_000);

  it('suppresses an address at its third soft bounce', async () => {
    const ooto = 'ooto+again@simulator.amazonses.com';
    for (const expected of [1, 2]) {
      await settledAs(await sendAndRecord(ooto), 'soft_bounced', ['Bounce']);
      const { Item } = await documentClient().send(
        new GetCommand({ TableName: t.stack.tableName, Key: itemKeys.suppression(emailDigest(ooto)), ConsistentRead: true }),
      );
      expect(Item).toMatchObject({ softBounces: expected });
      expect(Item?.['reason']).toBeUndefined();
    }
    await settledAs(await sendAndRecord(ooto), 'soft_bounced', ['Bounce']);
    expect(await suppressionOf(t.stack.tableName, ooto)).toMatchObject({ reason: 'soft_bounces' });
  }, 60_000);

  it('keeps the List-Unsubscribe headers in the mail the emulator stored', async () => {
    const response = await fetch(`${t.stack.endpoints.ses}/store`);
    const { emails } = (await response.json()) as { emails: { destination: { to: string[] }; headers?: { name: string; value: string }[] }[] };
    const mail = emails.find((e) => e.destination.to.includes('success@simulator.amazonses.com'));
    expect(mail?.headers).toEqual([
      { name: 'List-Unsubscribe', value: `<${t.stack.apiUrl}/u/token-for-the-view>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    // The mail view is served at the same address.
    expect((await fetch(`${t.stack.endpoints.ses}/`)).status).toBe(200);
  });

  it('sends no event for mail without the configuration set', async () => {
    const before = await new DynamoCampaignStatsStore(t.stack.tableName).read(campaignId);
    const { messageId } = await new SesMailer().send({
      to: 'bounce@simulator.amazonses.com',
      from: t.stack.email.from,
      subject: 'x',
      html: 'x',
      text: 'x',
      headers: [],
      configurationSet: 'another-set',
      tags: {},
    });
    await documentClient().send(
      new PutCommand({
        TableName: t.stack.tableName,
        Item: { ...itemKeys.message(messageId), messageId, campaignId, customerId: 'c', email: 'e', sentAt: '', status: 'sent', events: [] },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await message(messageId)).events).toEqual([]);
    expect(await new DynamoCampaignStatsStore(t.stack.tableName).read(campaignId)).toEqual(before);
  }, 30_000);
});

describe('Unsubscribe links through the local stack', () => {
  const customerId = `cus_${randomBytes(8).toString('hex')}`;
  const email = `grace-${randomBytes(4).toString('hex')}@example.com`;
  let link: string;

  beforeAll(async () => {
    const now = new Date().toISOString();
    const profile = { ...newProfile(customerId, now), email, consent: { state: 'subscribed' as const, at: now } };
    await documentClient().send(new PutCommand({ TableName: t.stack.tableName, Item: profileItem(profile) }));
    const key = await unsubscribeSigningKey(t.stack.tableName);
    link = unsubscribeUrl(t.stack.apiUrl, signUnsubscribeToken({ customerId, campaignId, emailDigest: emailDigest(email) }, key));
  });

  const profileNow = async () =>
    (await documentClient().send(new GetCommand({ TableName: t.stack.tableName, Key: itemKeys.customer(customerId), ConsistentRead: true })))
      .Item as { consent: { state: string }; rev: number };

  it('shows a confirmation page on GET and changes nothing', async () => {
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/<form method="post">/);
    expect((await profileNow()).consent.state).toBe('subscribed');
    expect(await suppressionOf(t.stack.tableName, email)).toBeNull();
  });

  it('unsubscribes at once on the one-click POST: consent, suppression and the campaign counter, once', async () => {
    const before = await profileNow();
    const post = () =>
      fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    const response = await post();
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('unsubscribed');
    const after = await profileNow();
    expect(after.consent.state).toBe('unsubscribed');
    expect(after.rev).toBe(before.rev + 1);
    expect(await suppressionOf(t.stack.tableName, email)).toMatchObject({ reason: 'unsubscribe' });
    expect((await post()).status).toBe(200);
    expect((await new DynamoCampaignStatsStore(t.stack.tableName).read(campaignId))['unsubscribed']).toBe(1);
  });

  it('answers a forged or malformed token with a 404 page, not a 500, and not the admin API', async () => {
    const forged = signUnsubscribeToken({ customerId, campaignId, emailDigest: null }, new Uint8Array(32));
    for (const token of [forged, 'x', 'not-a-token', 'A'.repeat(900)]) {
      for (const method of ['GET', 'POST']) {
        const response = await fetch(`${t.stack.apiUrl}/u/${token}`, { method });
        expect(response.status, `${method} ${token.slice(0, 10)}`).toBe(404);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      }
    }
  });
});
