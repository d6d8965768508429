// The unsubscribe link of one mail: a token signed with the table's signing
// key, naming the customer, the campaign and the address the mail went to.
import { signUnsubscribeToken, unsubscribeUrl } from '../domain/campaigns/unsubscribe-token';
import { emailDigest } from './suppression-store';
import { unsubscribeSigningKey } from './signing-key';

export async function unsubscribeLink(
  tableName: string,
  publicUrl: string,
  mail: { customerId: string; campaignId: string; email: string },
): Promise<string> {
  const key = await unsubscribeSigningKey(tableName);
  const token = signUnsubscribeToken({ customerId: mail.customerId, campaignId: mail.campaignId, emailDigest: emailDigest(mail.email) }, key);
  return unsubscribeUrl(publicUrl, token);
}
