import { describe, expect, it } from 'vitest';
import type { Channel } from '../../functions/domain/channels';
import { signBodyHmac } from '../../functions/adapters/signatures';
import { channelTestDelivery, patchChannel, type ChannelRepository } from '../../functions/app/channels';
import { ConflictError, NotFoundError } from '../../functions/shared/errors';

class MemoryChannels implements ChannelRepository {
  readonly writes: Channel[] = [];
  constructor(private readonly stored: Map<string, Channel>) {}
  async get(id: string): Promise<Channel | undefined> {
    return this.stored.get(id);
  }
  async replace(previous: Channel, next: Channel): Promise<void> {
    if (this.stored.get(previous.id)?.updatedAt !== previous.updatedAt) throw new ConflictError('changed meanwhile');
    this.stored.set(next.id, next);
    this.writes.push(next);
  }
}

const channel = (overrides: Partial<Channel> = {}): Channel => ({
  id: 'ch_0a',
  platform: 'shopify',
  name: 'Main store',
  webhookSecrets: ['old-secret'],
  apiBaseUrl: 'https://store.example.com',
  apiToken: 'token',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const later = new Date('2026-02-01T00:00:00.000Z');
const portsWith = (...stored: Channel[]) => ({
  channels: new MemoryChannels(new Map(stored.map((c) => [c.id, c]))),
  now: () => later,
});

describe('patchChannel', () => {
  it('keeps the current secret as the previous one when a new secret comes, and keeps unnamed fields', async () => {
    const ports = portsWith(channel());

    const next = await patchChannel(ports, 'ch_0a', { webhookSecret: 'new-secret', name: 'Renamed' });

    expect(next).toMatchObject({
      name: 'Renamed',
      webhookSecrets: ['new-secret', 'old-secret'],
      apiBaseUrl: 'https://store.example.com',
      apiToken: 'token',
      updatedAt: later.toISOString(),
    });
    expect(ports.channels.writes).toEqual([next]);
  });

  it('ends a rotation with previousWebhookSecret: null', async () => {
    const ports = portsWith(channel({ webhookSecrets: ['new-secret', 'old-secret'] }));

    const next = await patchChannel(ports, 'ch_0a', { previousWebhookSecret: null });

    expect(next.webhookSecrets).toEqual(['new-secret']);
  });

  it('refuses with ConflictError to bring a secret back to a redacted channel, and writes nothing', async () => {
    const ports = portsWith(channel({ status: 'redacted', webhookSecrets: [] }));

    await expect(patchChannel(ports, 'ch_0a', { webhookSecret: 'again' })).rejects.toBeInstanceOf(ConflictError);
    expect(ports.channels.writes).toEqual([]);
  });

  it('throws NotFoundError for an unknown channel', async () => {
    await expect(patchChannel(portsWith(), 'ch_0b', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('channelTestDelivery', () => {
  it("signs a sample for the stored channel's platform with its current secret", async () => {
    const delivery = await channelTestDelivery(portsWith(channel({ platform: 'woocommerce' })), 'ch_0a');

    expect(delivery).toMatchObject({ channelId: 'ch_0a', platform: 'woocommerce', expect: 'order' });
    expect(delivery.headers['x-wc-webhook-signature']).toBe(signBodyHmac(delivery.body, 'old-secret'));
  });

  it('throws NotFoundError for an unknown channel', async () => {
    await expect(channelTestDelivery(portsWith(), 'ch_0b')).rejects.toBeInstanceOf(NotFoundError);
  });
});
