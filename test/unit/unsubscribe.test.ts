import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readUnsubscribeToken, unsubscribe, type UnsubscribePorts } from '../../functions/app/unsubscribe';
import { signUnsubscribeToken } from '../../functions/domain/campaigns/unsubscribe-token';

const key = new Uint8Array(32).fill(3);
const digestOf = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
const now = new Date('2026-03-05T12:00:00.000Z');

function memoryPorts(profile: { email: string | undefined; consent?: string } | undefined) {
  const suppressed: { digest: string; at: string }[] = [];
  const counted: string[] = [];
  let keyReads = 0;
  const state = { profile: profile && { consent: 'subscribed', ...profile } };
  const ports: UnsubscribePorts = {
    async signingKey() {
      keyReads++;
      return key;
    },
    async profile() {
      return state.profile && { email: state.profile.email };
    },
    emailDigest: digestOf,
    async suppressDigest(digest, at) {
      suppressed.push({ digest, at });
    },
    async unsubscribeProfile(_customerId, campaignId, at) {
      if (!state.profile) return 'missing';
      if (state.profile.consent === 'unsubscribed') return 'already';
      state.profile.consent = 'unsubscribed';
      counted.push(`${campaignId}@${at}`);
      return 'unsubscribed';
    },
  };
  return { ports, suppressed, counted, state, keyReads: () => keyReads };
}

const token = (emailDigest: string | null = digestOf('ada@example.com')) =>
  signUnsubscribeToken({ customerId: 'cus_1', campaignId: 'cmp_1', emailDigest }, key);

describe('Use case: readUnsubscribeToken', () => {
  it('reads a token we signed and changes nothing', async () => {
    const memory = memoryPorts({ email: 'ada@example.com' });
    expect(await readUnsubscribeToken(memory.ports, token())).toEqual({
      customerId: 'cus_1',
      campaignId: 'cmp_1',
      emailDigest: digestOf('ada@example.com'),
    });
    expect(memory.suppressed).toEqual([]);
    expect(memory.state.profile?.consent).toBe('subscribed');
  });

  it('refuses what cannot be a token without reading the key', async () => {
    const memory = memoryPorts({ email: 'ada@example.com' });
    expect(await readUnsubscribeToken(memory.ports, 'unknown')).toBeNull();
    expect(memory.keyReads()).toBe(0);
  });
});

describe('Use case: unsubscribe', () => {
  it('suppresses the address, sets the consent and counts one unsubscribe for the campaign', async () => {
    const memory = memoryPorts({ email: 'Ada@Example.com ' });
    expect(await unsubscribe(memory.ports, token(), now)).toEqual({ outcome: 'unsubscribed', consent: 'changed', campaignId: 'cmp_1' });
    expect(memory.suppressed).toEqual([{ digest: digestOf('ada@example.com'), at: now.toISOString() }]);
    expect(memory.state.profile?.consent).toBe('unsubscribed');
    expect(memory.counted).toEqual([`cmp_1@${now.toISOString()}`]);
  });

  it('counts a repeated POST once', async () => {
    const memory = memoryPorts({ email: 'ada@example.com' });
    await unsubscribe(memory.ports, token(), now);
    expect(await unsubscribe(memory.ports, token(), now)).toMatchObject({ consent: 'already' });
    expect(memory.counted).toHaveLength(1);
  });

  it('changes nothing for a forged token', async () => {
    const memory = memoryPorts({ email: 'ada@example.com' });
    const forged = signUnsubscribeToken({ customerId: 'cus_1', campaignId: 'cmp_1', emailDigest: null }, new Uint8Array(32));
    expect(await unsubscribe(memory.ports, forged, now)).toEqual({ outcome: 'invalid_token' });
    expect(memory.suppressed).toEqual([]);
    expect(memory.counted).toEqual([]);
  });

  it("only suppresses the old address when the profile's address has changed since the mail", async () => {
    const memory = memoryPorts({ email: 'ada@new.example' });
    expect(await unsubscribe(memory.ports, token(), now)).toEqual({ outcome: 'unsubscribed', consent: 'address_changed', campaignId: 'cmp_1' });
    expect(memory.suppressed).toEqual([{ digest: digestOf('ada@example.com'), at: now.toISOString() }]);
    expect(memory.state.profile?.consent).toBe('subscribed');
    expect(memory.counted).toEqual([]);
  });

  it("suppresses the profile's current address for a token without a digest", async () => {
    const memory = memoryPorts({ email: 'ada@example.com' });
    expect(await unsubscribe(memory.ports, token(null), now)).toMatchObject({ consent: 'changed' });
    expect(memory.suppressed.map((s) => s.digest)).toEqual([digestOf('ada@example.com')]);
  });

  it('sets the consent of a profile without an address, suppressing nothing', async () => {
    const memory = memoryPorts({ email: undefined });
    expect(await unsubscribe(memory.ports, token(null), now)).toMatchObject({ consent: 'changed' });
    expect(memory.suppressed).toEqual([]);
    expect(memory.state.profile?.consent).toBe('unsubscribed');
  });

  it('still suppresses the address of a token whose profile is gone', async () => {
    const memory = memoryPorts(undefined);
    expect(await unsubscribe(memory.ports, token(), now)).toEqual({ outcome: 'unsubscribed', consent: 'no_profile', campaignId: 'cmp_1' });
    expect(memory.suppressed.map((s) => s.digest)).toEqual([digestOf('ada@example.com')]);
    expect(memory.counted).toEqual([]);
  });

  it('reports no_profile when the profile disappears between the read and the write', async () => {
    const memory = memoryPorts({ email: 'ada@example.com' });
    memory.ports.unsubscribeProfile = async () => 'missing';
    expect(await unsubscribe(memory.ports, token(), now)).toMatchObject({ consent: 'no_profile' });
  });
});
