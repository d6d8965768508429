// Suppressed addresses and the unsubscribe of a profile.
//
// A suppression is `itemKeys.suppression(digest)` with `{reason, at,
// softBounces?}`, where digest is identityDigest of the normalized address;
// the address counts as suppressed once `reason` is set. Soft bounces keep
// their recent list (`recentSoftBounces`, message id and time) beside the
// count and a `rev` for optimistic concurrency, so a repeated bounce of one
// message never counts twice.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression, SuppressionReason } from '../app/campaign-ports';
import type { AddressSuppressions } from '../app/ses-feedback';
import { replaceableBy, type SoftBounce } from '../domain/campaigns/ses-events';
import { normalizeEmail } from '../domain/normalize/identity';
import { ConflictError } from '../shared/errors';
import { statsUpdate } from './campaign-stats';
import { capacityMeter, documentClient } from './dynamo-client';
import { identityDigest, itemKeys } from './dynamo-keys';

const maxAttempts = 5;

/** The digest a suppression (and an unsubscribe token) names an address by. */
export function emailDigest(email: string): string {
  return identityDigest(normalizeEmail(email) ?? email.trim().toLowerCase());
}

export async function suppressionOf(tableName: string, email: string): Promise<Suppression | null> {
  const result = await documentClient().send(
    new GetCommand({
      TableName: tableName,
      Key: itemKeys.suppression(emailDigest(email)),
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  capacityMeter.record('read', result.ConsumedCapacity);
  const item = result.Item;
  return typeof item?.['reason'] === 'string' ? { reason: item['reason'] as SuppressionReason, at: item['at'] as string } : null;
}

export function suppress(tableName: string, email: string, reason: SuppressionReason, at: string): Promise<void> {
  return suppressDigest(tableName, emailDigest(email), reason, at);
}

/** Sets the reason unless one as strong stands (replaceableBy); the soft-bounce count stays. */
export async function suppressDigest(tableName: string, digest: string, reason: SuppressionReason, at: string): Promise<void> {
  const weaker = replaceableBy(reason);
  const values: Record<string, unknown> = { ':reason': reason, ':at': at };
  weaker.forEach((weak, i) => (values[`:w${i}`] = weak));
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: tableName,
        Key: itemKeys.suppression(digest),
        UpdateExpression: 'SET #reason = :reason, #at = :at',
        ConditionExpression:
          weaker.length === 0
            ? 'attribute_not_exists(#reason)'
            : `attribute_not_exists(#reason) OR #reason IN (${weaker.map((_, i) => `:w${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#reason': 'reason', '#at': 'at' },
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
  } catch (error) {
    // A reason as strong stands: it stays.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Adds a soft bounce to the address's recent ones as `decide` works them out,
 * and suppresses the address (soft_bounces) when it says so and no stronger
 * reason stands. Retries when another bounce of the address wrote first.
 */
export async function recordSoftBounce(
  tableName: string,
  email: string,
  decide: (recent: readonly SoftBounce[]) => { recent: SoftBounce[]; count: number; suppress: boolean },
): Promise<{ count: number; suppressed: boolean }> {
  const key = itemKeys.suppression(emailDigest(email));
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const read = await documentClient().send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    const item = read.Item ?? {};
    const rev = typeof item['rev'] === 'number' ? item['rev'] : undefined;
    const reason = item['reason'] as SuppressionReason | undefined;
    const decision = decide((item['recentSoftBounces'] as SoftBounce[] | undefined) ?? []);
    const suppressNow = decision.suppress && (reason === undefined || replaceableBy('soft_bounces').includes(reason));
    const values: Record<string, unknown> = {
      ':recent': decision.recent,
      ':count': decision.count,
      ':next': (rev ?? 0) + 1,
    };
    if (rev !== undefined) values[':rev'] = rev;
    if (suppressNow) {
      values[':reason'] = 'soft_bounces';
      values[':at'] = decision.recent.at(-1)?.at;
    }
    try {
      const result = await documentClient().send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: `SET #recent = :recent, #softBounces = :count, #rev = :next${suppressNow ? ', #reason = :reason, #at = :at' : ''}`,
          ConditionExpression: rev === undefined ? 'attribute_not_exists(#rev)' : '#rev = :rev',
          ExpressionAttributeNames: {
            '#recent': 'recentSoftBounces',
            '#softBounces': 'softBounces',
            '#rev': 'rev',
            ...(suppressNow ? { '#reason': 'reason', '#at': 'at' } : {}),
          },
          ExpressionAttributeValues: values,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
      return { count: decision.count, suppressed: suppressNow || (decision.suppress && reason !== undefined) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new ConflictError('the soft bounces of an address kept changing');
}

/** The suppression port of SES feedback, on one table. */
export class DynamoAddressSuppressions implements AddressSuppressions {
  constructor(private readonly tableName: string) {}

  suppress(email: string, reason: SuppressionReason, at: string): Promise<void> {
    return suppress(this.tableName, email, reason, at);
  }

  recordSoftBounce(email: string, decide: Parameters<typeof recordSoftBounce>[2]): Promise<{ count: number; suppressed: boolean }> {
    return recordSoftBounce(this.tableName, email, decide);
  }
}

/** The profile's address, or undefined when there is no profile. */
export async function profileEmail(tableName: string, customerId: string): Promise<{ email: string | undefined } | undefined> {
  const result = await documentClient().send(
    new GetCommand({
      TableName: tableName,
      Key: itemKeys.customer(customerId),
      ProjectionExpression: '#email',
      ExpressionAttributeNames: { '#email': 'email' },
      ConsistentRead: true,
    }),
  );
  if (!result.Item) return undefined;
  return { email: typeof result.Item['email'] === 'string' ? result.Item['email'] : undefined };
}

/**
 * Sets the profile's consent to unsubscribed and counts one unsubscribe for
 * the campaign, in one transaction, unless the consent is unsubscribed
 * already. Only the consent, `updatedAt` and `rev` change: `rev` moves, so a
 * writer that read the profile before fails its conditional put and reads
 * the new consent, instead of writing the old one back.
 */
export async function unsubscribeProfile(
  tableName: string,
  customerId: string,
  campaignId: string,
  at: string,
): Promise<'unsubscribed' | 'already' | 'missing'> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      const result = await documentClient().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: itemKeys.customer(customerId),
                UpdateExpression: 'SET #consent = :consent, #updatedAt = :at, #rev = #rev + :one',
                ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#consent.#state) OR #consent.#state <> :state)',
                ExpressionAttributeNames: { '#consent': 'consent', '#state': 'state', '#updatedAt': 'updatedAt', '#rev': 'rev' },
                ExpressionAttributeValues: { ':consent': { state: 'unsubscribed', at }, ':state': 'unsubscribed', ':at': at, ':one': 1 },
              },
            },
            { Update: statsUpdate(tableName, campaignId, { unsubscribed: 1 })! },
          ],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      capacityMeter.record('write', result.ConsumedCapacity);
      return 'unsubscribed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // Missing, already unsubscribed, or a concurrent write: the profile says which.
      const read = await documentClient().send(
        new GetCommand({ TableName: tableName, Key: itemKeys.customer(customerId), ConsistentRead: true }),
      );
      if (!read.Item) return 'missing';
      if ((read.Item['consent'] as { state?: string } | undefined)?.state === 'unsubscribed') return 'already';
    }
  }
  throw new ConflictError(`the profile ${customerId} kept changing`);
}
