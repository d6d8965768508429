// Webhook secret rotation: while a store moves to a new secret, deliveries
// signed with either verify; ending the rotation drops the old one.

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
