// A customer's unsubscribe, from staff or from the link in a mail: the
// profile's consent becomes unsubscribed AND the address is suppressed. The
// suppression is what the sender trusts: a store that later reports the
// customer subscribed again moves the profile's consent, never the suppression.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SuppressionReason } from '../app/campaign-ports';
import type { CustomerProfile } from '../domain/customers';
import { normalizeEmail } from '../domain/normalize/identity';
import { profileFromItem } from './customer-store';
import { capacityMeter, documentClient } from './dynamo-client';
import { identityDigest, itemKeys } from './dynamo-keys';

/**
 * Suppresses the address unless it already is: a bounce or complaint, which
 * blocks all mail, is never turned into an unsubscribe, and the first
 * suppression keeps its time. A soft-bounce count on the item stays.
 */
async function suppressUnlessSuppressed(tableName: string, email: string, reason: SuppressionReason, at: string): Promise<void> {
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: tableName,
        Key: itemKeys.suppression(identityDigest(email)),
        UpdateExpression: 'SET #reason = :reason, #at = :at',
        ConditionExpression: 'attribute_not_exists(#reason)',
        ExpressionAttributeNames: { '#reason': 'reason', '#at': 'at' },
        ExpressionAttributeValues: { ':reason': reason, ':at': at },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    capacityMeter.record('write', result.ConsumedCapacity);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Records that the customer unsubscribed; undefined for an unknown customer.
 * Idempotent: a customer already unsubscribed keeps the first time. The
 * suppression is written first, so a crash between the two writes leaves the
 * address blocked and a retry completes the profile. The profile update sets
 * only the consent and moves `rev`, so it never overwrites a concurrent write
 * and a writer that read the profile before it must read it again.
 */
export async function recordUnsubscribe(
  tableName: string,
  customerId: string,
  reason: Extract<SuppressionReason, 'staff' | 'unsubscribe'>,
  at: string,
): Promise<CustomerProfile | undefined> {
  const read = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.customer(customerId), ConsistentRead: true }),
  );
  if (!read.Item) return undefined;
  const profile = profileFromItem(read.Item);
  // A redacted customer has no address left to suppress.
  const email = normalizeEmail(profile.email);
  if (email !== undefined) await suppressUnlessSuppressed(tableName, email, reason, at);
  if (profile.consent.state === 'unsubscribed') return profile;
  const result = await documentClient().send(
    new UpdateCommand({
      TableName: tableName,
      Key: itemKeys.customer(customerId),
      UpdateExpression: 'SET consent = :consent, updatedAt = :at ADD #rev :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#rev': 'rev' },
      ExpressionAttributeValues: { ':consent': { state: 'unsubscribed', at }, ':at': at, ':one': 1 },
      ReturnValues: 'ALL_NEW',
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  capacityMeter.record('write', result.ConsumedCapacity);
  return profileFromItem(result.Attributes ?? {});
}
