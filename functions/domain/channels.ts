// A channel: one connected store, with its webhook secrets and API access.
// Webhook secret rotation: while a store moves to a new secret, deliveries
// signed with either verify; ending the rotation drops the old one.
import type { Platform } from './model';

export interface Channel {
  id: string;
  platform: Platform;
  name: string;
  /** Current secret first; a second one is the previous secret during a rotation. */
  webhookSecrets: string[];
  apiBaseUrl?: string | undefined;
  apiToken?: string | undefined;
  currency?: string | undefined;
  status: 'active' | 'redacted';
  createdAt: string;
  updatedAt: string;
}

export interface SecretChange {
  /** The store's new secret; the current one stays valid as the previous. */
  webhookSecret?: string | undefined;
  /** null ends a rotation: only the current secret verifies from then on. */
  previousWebhookSecret?: null | undefined;
}

/** The secrets after `change`, current first. */
export function rotateSecrets(secrets: readonly string[], change: SecretChange): string[] {
  const [current] = secrets;
  let next = [...secrets];
  if (change.webhookSecret !== undefined && change.webhookSecret !== current) {
    next = current === undefined ? [change.webhookSecret] : [change.webhookSecret, current];
  }
  if (change.previousWebhookSecret === null) next = next.slice(0, 1);
  return next;
}
