import { describe, expect, it } from 'vitest';
import { sentMail, simulatedEvents, simulatorSteps } from '../../bin/local/ses-events';
import { sesEventSchema } from '../../functions/domain/campaigns/ses-events';

describe('Local SES events: the mailbox simulator', () => {
  it.each([
    ['bounce@simulator.amazonses.com', ['send', 'hardBounce']],
    ['Bounce+label@Simulator.amazonses.com', ['send', 'hardBounce']],
    ['suppressionlist@simulator.amazonses.com', ['send', 'suppressedBounce']],
    ['complaint@simulator.amazonses.com', ['send', 'delivery', 'complaint']],
    ['ooto@simulator.amazonses.com', ['send', 'delivery', 'softBounce']],
    ['success@simulator.amazonses.com', ['send', 'delivery']],
    ['bounce@example.com', ['send', 'delivery']],
  ])('gives %s the events %j', (recipient, steps) => {
    expect(simulatorSteps(recipient)).toEqual(steps);
  });

  it('builds EventBridge events the sesFeedback schema takes, tagged with the configuration set, later ones delayed more', () => {
    const mail = sentMail(
      {
        ConfigurationSetName: 'huitou',
        FromEmailAddress: 'Shop <shop@example.com>',
        Destination: { ToAddresses: ['complaint@simulator.amazonses.com'] },
        Content: { Simple: { Subject: { Data: 'Hi' }, Headers: [{ Name: 'List-Unsubscribe', Value: '<https://x/u/t>' }] } },
        EmailTags: [{ Name: 'campaign', Value: 'cmp_1' }],
      },
      'msg-1',
    );
    expect(mail).toMatchObject({ messageId: 'msg-1', to: ['complaint@simulator.amazonses.com'], configurationSet: 'huitou' });
    const events = simulatedEvents(mail!, 'complaint@simulator.amazonses.com', 'us-east-1', new Date('2026-03-01T10:00:00Z'));
    expect(events.map((e) => [e.detailType, e.delaySeconds])).toEqual([
      ['Email Sent', 1],
      ['Email Delivered', 2],
      ['Email Complaint Received', 3],
    ]);
    for (const event of events) {
      const parsed = sesEventSchema.parse(JSON.parse(event.body));
      expect(parsed.detail.mail.messageId).toBe('msg-1');
      expect(JSON.parse(event.body).detail.mail.tags).toMatchObject({ 'ses:configuration-set': ['huitou'], campaign: ['cmp_1'] });
    }
    expect(new Set(events.map((e) => JSON.parse(e.body).id)).size).toBe(3);
  });

  it('reads no mail from a request without a configuration set or a sender', () => {
    expect(sentMail({ FromEmailAddress: 'a@example.com' }, 'm')).toBeUndefined();
    expect(sentMail({ ConfigurationSetName: 'huitou' }, 'm')).toBeUndefined();
    expect(sentMail(null, 'm')).toBeUndefined();
  });
});
