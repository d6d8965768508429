// SES's event publishing on the laptop. A proxy in front of aws-ses-v2-local
// (which stores mail but publishes no events) passes every request through;
// when SendEmail with huitou's configuration set succeeds, it sends the
// events SES would publish for each recipient to the sesEvents queue, in the
// shape the EventBridge rule delivers on AWS (lib/huitou-stack.ts), so the
// same sesFeedback function handles them. The SES mailbox simulator decides
// which events:
//   bounce@simulator.amazonses.com      Send, Bounce (Permanent)
//   suppressionlist@simulator...        Send, Bounce (Permanent, OnAccountSuppressionList)
//   complaint@simulator.amazonses.com   Send, Delivery, Complaint
//   ooto@simulator.amazonses.com        Send, Delivery, Bounce (Transient): SES sends an
//                                       out-of-office reply, which huitou counts as a soft bounce
//   any other address                   Send, Delivery
// Events leave with SQS delays of 1 to 3 s, as SES's come seconds after the
// send, and after the sender has written its message record. They are in the
// queue (and its journal) from the moment the mail is accepted, so a restart
// neither loses nor repeats them; the emulator's mail view starts empty again.
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, localHost, type Emulator, type Log } from './emulators';

/** What the proxy reads of a SendEmail request (SES v2 JSON). */
export interface SentMail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  configurationSet: string;
  tags: { Name: string; Value: string }[];
  headers: { Name: string; Value: string }[];
}

export interface SimulatedEvent {
  detailType: string;
  delaySeconds: number;
  body: string;
}

const simulatorDomain = 'simulator.amazonses.com';
/** The account id the local stack reports; like the local SQS queues', it names no real account. */
const localAccount = '000000000000';

type Step = 'send' | 'delivery' | 'hardBounce' | 'suppressedBounce' | 'softBounce' | 'complaint';

/** The events SES publishes for mail to this recipient (the mailbox simulator's, or a plain delivery). */
export function simulatorSteps(recipient: string): Step[] {
  const [local = '', domain = ''] = recipient.trim().toLowerCase().split('@');
  if (domain !== simulatorDomain) return ['send', 'delivery'];
  // The simulator takes labels: bounce+anything@ bounces too.
  switch (local.split('+')[0]) {
    case 'bounce':
      return ['send', 'hardBounce'];
    case 'suppressionlist':
      return ['send', 'suppressedBounce'];
    case 'complaint':
      return ['send', 'delivery', 'complaint'];
    case 'ooto':
      return ['send', 'delivery', 'softBounce'];
    default:
      return ['send', 'delivery'];
  }
}

/** The EventBridge events (as queue message bodies) for one recipient of one mail. */
export function simulatedEvents(mail: SentMail, recipient: string, region: string, now: Date): SimulatedEvent[] {
  const sentAt = now.toISOString();
  const later = (seconds: number): string => new Date(now.getTime() + seconds * 1000).toISOString();
  const tags: Record<string, string[]> = {
    'ses:configuration-set': [mail.configurationSet],
    'ses:from-domain': [mail.from.split('@').pop()?.replace(/>$/, '') ?? ''],
    'ses:caller-identity': ['local'],
  };
  for (const tag of mail.tags) tags[tag.Name] = [tag.Value];
  const mailObject = {
    timestamp: sentAt,
    source: mail.from,
    sendingAccountId: localAccount,
    messageId: mail.messageId,
    destination: mail.to,
    headersTruncated: false,
    headers: [
      { name: 'From', value: mail.from },
      { name: 'To', value: mail.to.join(', ') },
      { name: 'Subject', value: mail.subject },
      ...mail.headers.map((header) => ({ name: header.Name, value: header.Value })),
    ],
    commonHeaders: { from: [mail.from], to: mail.to, messageId: mail.messageId, subject: mail.subject },
    tags,
  };
  const reportingMTA = `dsn; local.${simulatorDomain}`;
  const bounce = (bounceType: 'Permanent' | 'Transient', bounceSubType: string, status: string, diagnosticCode: string) => ({
    bounceType,
    bounceSubType,
    bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status, diagnosticCode }],
    timestamp: later(3),
    feedbackId: `${randomUUID()}-000000`,
    reportingMTA,
  });
  const byStep: Record<Step, { detailType: string; eventType: string; delaySeconds: number; detail: Record<string, unknown> }> = {
    send: { detailType: 'Email Sent', eventType: 'Send', delaySeconds: 1, detail: { send: {} } },
    delivery: {
      detailType: 'Email Delivered',
      eventType: 'Delivery',
      delaySeconds: 2,
      detail: {
        delivery: {
          timestamp: later(2),
          processingTimeMillis: 2000,
          recipients: [recipient],
          smtpResponse: '250 2.6.0 Message received',
          reportingMTA: `local.${simulatorDomain}`,
        },
      },
    },
    hardBounce: {
      detailType: 'Email Bounced',
      eventType: 'Bounce',
      delaySeconds: 3,
      detail: { bounce: bounce('Permanent', 'General', '5.1.1', 'smtp; 550 5.1.1 user unknown') },
    },
    suppressedBounce: {
      detailType: 'Email Bounced',
      eventType: 'Bounce',
      delaySeconds: 3,
      detail: {
        bounce: bounce('Permanent', 'OnAccountSuppressionList', '5.1.1', 'Amazon SES did not send the message to this address because it is on the suppression list for your account.'),
      },
    },
    softBounce: {
      detailType: 'Email Bounced',
      eventType: 'Bounce',
      delaySeconds: 3,
      detail: { bounce: bounce('Transient', 'General', '4.0.0', 'smtp; 450 out of the office') },
    },
    complaint: {
      detailType: 'Email Complaint Received',
      eventType: 'Complaint',
      delaySeconds: 3,
      detail: {
        complaint: {
          complainedRecipients: [{ emailAddress: recipient }],
          timestamp: later(3),
          feedbackId: `${randomUUID()}-000000`,
          complaintSubType: null,
          userAgent: 'Mailbox simulator',
          complaintFeedbackType: 'abuse',
          arrivalDate: later(3),
        },
      },
    },
  };
  return simulatorSteps(recipient).map((step) => {
    const { detailType, eventType, delaySeconds, detail } = byStep[step];
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: 'aws.ses',
      account: localAccount,
      time: later(delaySeconds),
      region,
      resources: [`arn:aws:ses:${region}:${localAccount}:configuration-set/${mail.configurationSet}`],
      detail: { eventType, mail: mailObject, ...detail },
    };
    return { detailType, delaySeconds, body: JSON.stringify(event) };
  });
}

/** The mail of a SendEmail request that carries a configuration set; undefined for any other request. */
export function sentMail(requestBody: unknown, messageId: string): SentMail | undefined {
  if (typeof requestBody !== 'object' || requestBody === null) return undefined;
  const input = requestBody as {
    ConfigurationSetName?: string;
    FromEmailAddress?: string;
    Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
    Content?: { Simple?: { Subject?: { Data?: string }; Headers?: { Name: string; Value: string }[] } };
    EmailTags?: { Name: string; Value: string }[];
  };
  if (!input.ConfigurationSetName || !input.FromEmailAddress) return undefined;
  const destination = input.Destination ?? {};
  return {
    messageId,
    from: input.FromEmailAddress,
    to: [...(destination.ToAddresses ?? []), ...(destination.CcAddresses ?? []), ...(destination.BccAddresses ?? [])],
    subject: input.Content?.Simple?.Subject?.Data ?? '',
    configurationSet: input.ConfigurationSetName,
    tags: input.EmailTags ?? [],
    headers: input.Content?.Simple?.Headers ?? [],
  };
}

const sendEmailPath = '/v2/email/outbound-emails';
const maxRequestBytes = 40 * 1024 * 1024;

/**
 * Starts the proxy on a free port in front of `emulator`. Mail sent with
 * `configurationSet` produces events through `publish`; mail with another
 * configuration set, or none, produces none, as on AWS.
 */
export async function startSesEventSource(options: {
  emulator: string;
  configurationSet: string;
  region: string;
  publish: (event: SimulatedEvent) => Promise<void>;
  log: Log;
}): Promise<Emulator> {
  const target = new URL(options.emulator);
  const server = createServer((request, response) => {
    void forward(request, response).catch((error: unknown) => {
      options.log(`ses events: ${(error as Error).message}`);
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
  });

  async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readAll(request);
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
        (reply) => {
          readAll(reply).then((replyBody) => resolve({ status: reply.statusCode ?? 502, headers: reply.headers, body: replyBody }), reject);
        },
      );
      upstream.once('error', reject);
      upstream.end(body);
    });
    if (request.method === 'POST' && request.url?.split('?')[0] === sendEmailPath && answer.status === 200) {
      await publishEvents(body, answer.body);
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  }

  async function publishEvents(requestBody: Buffer, answerBody: Buffer): Promise<void> {
    const { MessageId } = JSON.parse(answerBody.toString('utf8')) as { MessageId?: string };
    const mail = MessageId ? sentMail(JSON.parse(requestBody.toString('utf8')), MessageId) : undefined;
    if (!mail || mail.configurationSet !== options.configurationSet) return;
    const now = new Date();
    for (const recipient of mail.to) {
      for (const event of simulatedEvents(mail, recipient, options.region, now)) await options.publish(event);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, localHost, () => resolve());
  });
  return {
    endpoint: `http://${localHost}:${(server.address() as AddressInfo).port}`,
    stop: () => closeServer(server),
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) {
        stream.destroy(new Error(`a request to the SES emulator is over ${maxRequestBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => resolve(Buffer.concat(chunks, size)));
    stream.once('error', reject);
  });
}
