// Staff changes to a connected channel: rename it, point it at another store
// API, rotate its webhook secret, and set where its coupons are created. Written against a channel repository;
// the DynamoDB adapter only reads and writes.
import type { Channel } from '../domain/channels';
import { nextCouponSettings, rotateSecrets, type CouponSettingsInput, type SecretChange } from '../domain/channels';
import { ConflictError, NotFoundError } from '../shared/errors';
import { testDelivery, type TestDelivery } from './test-delivery';

export interface ChannelRepository {
  /** Strongly consistent: a change just made is seen. */
  get(channelId: string): Promise<Channel | undefined>;
  /** Writes `next` over `previous`; throws ConflictError when the channel changed meanwhile. */
  replace(previous: Channel, next: Channel): Promise<void>;
}

/** What staff may change; a field left out keeps its value. */
export interface ChannelPatch extends SecretChange {
  name?: string | undefined;
  apiBaseUrl?: string | undefined;
  apiToken?: string | undefined;
  /** null removes the coupon settings (the channel then mints no coupons). */
  coupons?: CouponSettingsInput | null | undefined;
}

export async function channelOrThrow(channels: Pick<ChannelRepository, 'get'>, channelId: string): Promise<Channel> {
  const channel = await channels.get(channelId);
  if (!channel) throw new NotFoundError(`no channel ${channelId}`);
  return channel;
}

/**
 * Applies `patch` to a channel and stores it. A new webhook secret keeps the
 * current one as the previous until the rotation ends. A channel erased by
 * shop/redact stays erased: patching it would bring back a secret or a token.
 */
export async function patchChannel(
  ports: { channels: ChannelRepository; now: () => Date },
  channelId: string,
  patch: ChannelPatch,
): Promise<Channel> {
  const channel = await channelOrThrow(ports.channels, channelId);
  if (channel.status !== 'active') throw new ConflictError(`channel ${channelId} was redacted`);
  const next: Channel = {
    ...channel,
    name: patch.name ?? channel.name,
    apiBaseUrl: patch.apiBaseUrl ?? channel.apiBaseUrl,
    apiToken: patch.apiToken ?? channel.apiToken,
    webhookSecrets: rotateSecrets(channel.webhookSecrets, patch),
    coupons:
      patch.coupons === undefined
        ? channel.coupons
        : patch.coupons === null
          ? undefined
          : nextCouponSettings(channel.platform, channel.coupons, patch.coupons),
    updatedAt: ports.now().toISOString(),
  };
  await ports.channels.replace(channel, next);
  return next;
}

/** A sample order signed with the channel's current secret (app/test-delivery.ts). */
export async function channelTestDelivery(
  ports: { channels: Pick<ChannelRepository, 'get'>; now: () => Date },
  channelId: string,
): Promise<TestDelivery> {
  return testDelivery(await channelOrThrow(ports.channels, channelId), { now: ports.now() });
}
