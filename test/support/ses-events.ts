// SES events as the EventBridge rule delivers them to the sesEvents queue
// (lib/huitou-stack.ts): the EventBridge envelope around SES's event record.
export function sesEvent(
  eventType: string,
  messageId: string,
  extra: Record<string, unknown> = {},
  options: { id?: string; sentAt?: string } = {},
): Record<string, unknown> {
  const sentAt = options.sentAt ?? '2026-03-01T10:00:00.000Z';
  return {
    version: '0',
    id: options.id ?? `${eventType}-${messageId}`,
    'detail-type': 'Email Sent',
    source: 'aws.ses',
    account: '123456789012',
    time: sentAt,
    region: 'us-east-1',
    resources: ['arn:aws:ses:us-east-1:123456789012:configuration-set/huitou'],
    detail: {
      eventType,
      mail: {
        timestamp: sentAt,
        source: 'shop@example.com',
        messageId,
        destination: ['ada@example.com'],
        tags: { 'ses:configuration-set': ['huitou'] },
      },
      ...extra,
    },
  };
}

export const bounce = (bounceType: string, timestamp = '2026-03-01T10:00:05.000Z') => ({
  bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'ada@example.com' }], timestamp },
});
