// The unsubscribe link of a marketing mail. GET only reads the token (mail
// scanners fetch links); POST (RFC 8058 one-click, or the confirmation form)
// unsubscribes: the address is suppressed (reason unsubscribe), the profile's
// consent becomes unsubscribed and the campaign counts one unsubscribe.
//
// Order for retries: the suppression first (idempotent), then one transaction
// that sets the consent and counts, only if the consent was not unsubscribed
// already, so a repeated POST never counts twice.
import {
  isWellFormedUnsubscribeToken,
  verifyUnsubscribeToken,
  type UnsubscribeTokenPayload,
} from '../domain/campaigns/unsubscribe-token';

export interface UnsubscribePorts {
  /** The key unsubscribe tokens are signed with. */
  signingKey(): Promise<Uint8Array>;
  /** The profile's current address; undefined when there is no profile (never was, or erased). */
  profile(customerId: string): Promise<{ email: string | undefined } | undefined>;
  /** identityDigest of the normalized address: what tokens carry and suppressions are keyed by. */
  emailDigest(email: string): string;
  /** Suppresses the address with this digest for `unsubscribe`, unless a reason stands already. */
  suppressDigest(emailDigest: string, at: string): Promise<void>;
  /**
   * Sets the profile's consent to unsubscribed (at `at`) and adds one to the
   * campaign's `unsubscribed` counter, in one transaction; `already` when the
   * consent was unsubscribed before, `missing` when there is no profile.
   */
  unsubscribeProfile(customerId: string, campaignId: string, at: string): Promise<'unsubscribed' | 'already' | 'missing'>;
}

export type UnsubscribeOutcome =
  | { outcome: 'invalid_token' }
  | {
      outcome: 'unsubscribed';
      /**
       * changed: consent set now. already: it was unsubscribed. address_changed:
       * the token's address is no longer the profile's, so only that address is
       * suppressed. no_profile: there is no profile to change.
       */
      consent: 'changed' | 'already' | 'address_changed' | 'no_profile';
      campaignId: string;
    };

/** The token's payload when it is one of ours, for the confirmation page; changes nothing. */
export async function readUnsubscribeToken(ports: Pick<UnsubscribePorts, 'signingKey'>, token: string): Promise<UnsubscribeTokenPayload | null> {
  // Anything that cannot be a token is refused before the key is read.
  if (!isWellFormedUnsubscribeToken(token)) return null;
  return verifyUnsubscribeToken(token, await ports.signingKey());
}

export async function unsubscribe(ports: UnsubscribePorts, token: string, now: Date): Promise<UnsubscribeOutcome> {
  const payload = await readUnsubscribeToken(ports, token);
  if (!payload) return { outcome: 'invalid_token' };
  const at = now.toISOString();
  const { customerId, campaignId } = payload;

  const profile = await ports.profile(customerId);
  const currentDigest = profile?.email === undefined ? undefined : ports.emailDigest(profile.email);
  const digest = payload.emailDigest ?? currentDigest;
  if (digest !== undefined) await ports.suppressDigest(digest, at);

  if (!profile) return { outcome: 'unsubscribed', consent: 'no_profile', campaignId };
  if (payload.emailDigest !== null && payload.emailDigest !== currentDigest) {
    return { outcome: 'unsubscribed', consent: 'address_changed', campaignId };
  }
  const result = await ports.unsubscribeProfile(customerId, campaignId, at);
  const consent = result === 'unsubscribed' ? 'changed' : result === 'already' ? 'already' : 'no_profile';
  return { outcome: 'unsubscribed', consent, campaignId };
}
