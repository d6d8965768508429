// A quarantine entry: a signed delivery huitou could not use as sent, kept
// whole for staff and replayable after a fix.
import { createHash } from 'node:crypto';
import type { ReceivedDelivery } from './ports';

export interface QuarantineEntry extends ReceivedDelivery {
  id: string;
  reason: string;
  issues: string[];
  /** open: waiting for staff; requeued: replay sent; resolved: a replay went through; redacted: body erased by a privacy request. */
  status: 'open' | 'requeued' | 'resolved' | 'redacted';
  updatedAt: string;
  /** Hashed identities the body holds (domain/privacy.ts), so erasure need not read it; absent on older entries and very full bodies. */
  identityDigests?: string[] | undefined;
}

export interface StoredQuarantineEntry extends QuarantineEntry {
  /** The raw body, gzipped then base64, exactly as received; undefined once erased. */
  bodyGzip: string | undefined;
}

/** The same delivery quarantined twice is one entry. */
export function quarantineId(channelId: string, deliveryId: string): string {
  return `q_${createHash('sha256').update(`${channelId}\n${deliveryId}`).digest('hex').slice(0, 24)}`;
}
