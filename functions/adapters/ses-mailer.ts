// The Mailer port on SES v2 SendEmail: simple content (SES builds the MIME),
// the extra headers (List-Unsubscribe...), the configuration set whose events
// come back through the sesEvents queue, and the tags. The endpoint comes from
// AWS_ENDPOINT_URL_SESV2, so the local stack needs no code path of its own.
import {
  SESv2Client,
  SendEmailCommand,
  SESv2ServiceException,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingMail } from '../app/campaign-ports';
import { HuitouError, TransientError } from '../shared/errors';

/** SES refused the mail for a reason a retry will not fix (unverified sender, paused account, bad address). */
export class MailRejectedError extends HuitouError {}

/** SES errors a later attempt may get past: throttling, limits, SES's own faults. */
const transientErrors = new Set(['TooManyRequestsException', 'LimitExceededException', 'InternalServiceErrorException']);

export function sendEmailInput(mail: OutgoingMail): SendEmailCommandInput {
  return {
    FromEmailAddress: mail.from,
    Destination: { ToAddresses: [mail.to] },
    Content: {
      Simple: {
        Subject: { Data: mail.subject, Charset: 'UTF-8' },
        Body: { Html: { Data: mail.html, Charset: 'UTF-8' }, Text: { Data: mail.text, Charset: 'UTF-8' } },
        Headers: mail.headers.map(({ name, value }) => ({ Name: name, Value: value })),
      },
    },
    ConfigurationSetName: mail.configurationSet,
    EmailTags: Object.entries(mail.tags).map(([Name, Value]) => ({ Name, Value })),
  };
}

export class SesMailer implements Mailer {
  constructor(private readonly client: SESv2Client = new SESv2Client({})) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    let messageId: string | undefined;
    try {
      ({ MessageId: messageId } = await this.client.send(new SendEmailCommand(sendEmailInput(mail))));
    } catch (error) {
      if (error instanceof SESv2ServiceException && !transientErrors.has(error.name) && error.$fault === 'client') {
        throw new MailRejectedError(`SES refused the mail: ${error.name}`, { cause: error });
      }
      throw new TransientError(`SES did not take the mail: ${(error as Error).name}`, { cause: error });
    }
    if (!messageId) throw new TransientError('SES answered without a message id');
    return { messageId };
  }
}
