import { SendEmailCommand, SESv2Client, TooManyRequestsException, MessageRejected } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../../functions/app/campaign-ports';
import { MailRejectedError, SesMailer } from '../../functions/adapters/ses-mailer';
import { unsubscribeHeaders } from '../../functions/domain/campaigns/unsubscribe-token';
import { TransientError } from '../../functions/shared/errors';

const ses = mockClient(SESv2Client);
const url = 'https://api.example.com/u/token123';
const mail: OutgoingMail = {
  to: 'ada@example.com',
  from: 'Shop <shop@example.com>',
  subject: 'We miss you',
  html: '<p>Hello Ada</p>',
  text: 'Hello Ada',
  headers: unsubscribeHeaders(url),
  configurationSet: 'huitou-mail',
  tags: { campaign: 'cmp_1', customer: 'cus_1' },
};

beforeEach(() => ses.reset());

describe('Adapter: SesMailer', () => {
  it('sends simple content with the unsubscribe headers, the configuration set and the tags, and returns the message id', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0100-abc' });
    expect(await new SesMailer(new SESv2Client({ region: 'us-east-1' })).send(mail)).toEqual({ messageId: '0100-abc' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'Shop <shop@example.com>',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'We miss you', Charset: 'UTF-8' },
          Body: { Html: { Data: '<p>Hello Ada</p>', Charset: 'UTF-8' }, Text: { Data: 'Hello Ada', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: `<${url}>` },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
      ConfigurationSetName: 'huitou-mail',
      EmailTags: [
        { Name: 'campaign', Value: 'cmp_1' },
        { Name: 'customer', Value: 'cus_1' },
      ],
    });
  });

  it('turns throttling into a TransientError, to be retried', async () => {
    ses.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));
    await expect(new SesMailer(new SESv2Client({ region: 'us-east-1', maxAttempts: 1 })).send(mail)).rejects.toBeInstanceOf(TransientError);
  });

  it('turns a refusal a retry cannot fix into a MailRejectedError', async () => {
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: {} }));
    await expect(new SesMailer(new SESv2Client({ region: 'us-east-1' })).send(mail)).rejects.toBeInstanceOf(MailRejectedError);
  });

  it('treats an answer without a message id as transient', async () => {
    ses.on(SendEmailCommand).resolves({});
    await expect(new SesMailer(new SESv2Client({ region: 'us-east-1' })).send(mail)).rejects.toBeInstanceOf(TransientError);
  });
});
