// Channels: one connected store each, with its webhook secrets and API access.
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { couponSettingsView, type Channel, type CouponSettingsView } from '../domain/channels';
import type { Platform } from '../domain/model';
import { ConflictError } from '../shared/errors';
import { documentClient } from './dynamo-client';
import { indexes, itemKeys, lists } from './dynamo-keys';
import { listAll } from './pagination';

/** What the API may show: never a secret or a token. */
export interface ChannelView {
  id: string;
  platform: Platform;
  name: string;
  apiBaseUrl: string | null;
  currency: string | null;
  status: Channel['status'];
  rotatingSecret: boolean;
  hasApiToken: boolean;
  /** null when the channel has no coupon settings. */
  coupons: CouponSettingsView | null;
  createdAt: string;
  updatedAt: string;
}

export function channelView(channel: Channel): ChannelView {
  return {
    id: channel.id,
    platform: channel.platform,
    name: channel.name,
    apiBaseUrl: channel.apiBaseUrl ?? null,
    currency: channel.currency ?? null,
    status: channel.status,
    rotatingSecret: channel.webhookSecrets.length > 1,
    hasApiToken: Boolean(channel.apiToken),
    coupons: channel.coupons ? couponSettingsView(channel.coupons) : null,
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}

function fromItem(item: Record<string, unknown>): Channel {
  const { pk: _pk, sk: _sk, listPk: _listPk, listSk: _listSk, ...channel } = item;
  return channel as unknown as Channel;
}

/**
 * Strongly consistent, and never remembered: a secret replaced, a rotation
 * ended or a channel erased holds for the very next delivery.
 */
export async function getChannel(tableName: string, channelId: string): Promise<Channel | undefined> {
  const result = await documentClient().send(
    new GetCommand({ TableName: tableName, Key: itemKeys.channel(channelId), ConsistentRead: true }),
  );
  return result.Item ? fromItem(result.Item) : undefined;
}

export async function createChannel(
  tableName: string,
  input: Pick<Channel, 'platform' | 'name' | 'apiBaseUrl' | 'apiToken' | 'currency' | 'coupons'> & {
    webhookSecret: string;
  },
): Promise<Channel> {
  const now = new Date().toISOString();
  const channel: Channel = {
    id: `ch_${randomBytes(8).toString('hex')}`,
    platform: input.platform,
    name: input.name,
    webhookSecrets: [input.webhookSecret],
    apiBaseUrl: input.apiBaseUrl,
    apiToken: input.apiToken,
    currency: input.currency,
    coupons: input.coupons,
    status: 'active',
    createdAt: now,
    updatedAt: now,
  };
  await documentClient().send(
    new PutCommand({
      TableName: tableName,
      Item: { ...itemKeys.channel(channel.id), ...channel, listPk: lists.channels, listSk: `${now}#${channel.id}` },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return channel;
}

export async function listChannels(tableName: string): Promise<Channel[]> {
  const items = await listAll({ tableName, index: indexes.listByKind, partition: lists.channels });
  return items.map(fromItem);
}

/** Writes `next` over the stored channel, failing if someone changed it meanwhile. */
export async function replaceChannel(tableName: string, previous: Channel, next: Channel): Promise<void> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...itemKeys.channel(next.id),
          ...next,
          listPk: lists.channels,
          listSk: `${next.createdAt}#${next.id}`,
        },
        ConditionExpression: 'updatedAt = :seen',
        ExpressionAttributeValues: { ':seen': previous.updatedAt },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError(`channel ${next.id} changed meanwhile; read it again`, { cause: error });
    }
    throw error;
  }
}

/** shop/redact: the channel stays listed as redacted, with no secret, token or coupon credential left. */
export async function redactChannel(tableName: string, channelId: string, now: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName,
      Key: itemKeys.channel(channelId),
      UpdateExpression: 'SET #status = :redacted, webhookSecrets = :none, updatedAt = :now REMOVE apiToken, apiBaseUrl, coupons',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':redacted': 'redacted', ':none': [], ':now': now },
    }),
  );
}
