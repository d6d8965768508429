// Channels: connect a store, list and show channels with their webhook URLs,
// change one (rotating its secret), and sign a sample delivery for
// `huitou webhooks send-test`. Secrets and tokens are never answered.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { channelView, createChannel, getChannel, listChannels, replaceChannel } from '../../adapters/channel-store';
import type { Channel } from '../../domain/channels';
import { channelOrThrow, channelTestDelivery, patchChannel, type ChannelRepository } from '../../app/channels';
import { platforms, type Platform } from '../../domain/model';
import { checkStoreApiUrl, type StoreUrlPolicy } from '../../domain/store-url';
import { json } from '../../shared/http';
import { parseBody, type RouteTable, type ServedRouteKey } from './router';

/** Where the store sends the channel's webhooks: this API's own host. */
function webhookUrl(event: APIGatewayProxyEventV2, channel: { platform: Platform; id: string }): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  return `${proto}://${event.requestContext.domainName}/webhooks/${channel.platform}/${channel.id}`;
}

function publicChannel(event: APIGatewayProxyEventV2, channel: Channel) {
  return { ...channelView(channel), webhookUrl: webhookUrl(event, channel) };
}

export function channelRoutes({ tableName, urlPolicy }: { tableName: string; urlPolicy: StoreUrlPolicy }) {
  const channels: ChannelRepository = {
    get: (id) => getChannel(tableName, id),
    replace: (previous, next) => replaceChannel(tableName, previous, next),
  };
  const now = () => new Date();

  // The store token is sent to this URL: a public https address only (see domain/store-url.ts).
  const storeApiUrlSchema = z
    .string()
    .max(2048)
    .superRefine((raw, ctx) => {
      const verdict = checkStoreApiUrl(raw, urlPolicy);
      if (!verdict.ok) ctx.addIssue({ code: 'custom', message: verdict.reason });
    });

  const newChannelSchema = z
    .object({
      platform: z.enum(platforms),
      name: z.string().trim().min(1).max(200),
      webhookSecret: z.string().min(1).max(1024),
      apiBaseUrl: storeApiUrlSchema.optional(),
      apiToken: z.string().min(1).max(1024).optional(),
      currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code').optional(),
    })
    .strict()
    .refine((c) => c.platform !== 'bigcommerce' || (c.apiBaseUrl && c.apiToken), {
      message: 'BigCommerce channels need apiBaseUrl and apiToken: its webhooks carry only ids',
      path: ['apiBaseUrl'],
    });

  const channelPatchSchema = z
    .object({
      name: z.string().trim().min(1).max(200).optional(),
      webhookSecret: z.string().min(1).max(1024).optional(),
      previousWebhookSecret: z.null().optional(),
      apiBaseUrl: storeApiUrlSchema.optional(),
      apiToken: z.string().min(1).max(1024).optional(),
    })
    .strict();

  return {
    'POST /admin/channels': {
      right: 'manage',
      run: async ({ event }) => {
        const channel = await createChannel(tableName, parseBody(newChannelSchema, event));
        return json(201, publicChannel(event, channel));
      },
    },
    'GET /admin/channels': {
      right: 'read',
      run: async ({ event }) => {
        const all = await listChannels(tableName);
        return json(200, { items: all.map((c) => publicChannel(event, c)), nextCursor: null });
      },
    },
    'GET /admin/channels/{channelId}': {
      right: 'read',
      ids: { channelId: 'channel' },
      run: async ({ event, params: { channelId } }) =>
        json(200, publicChannel(event, await channelOrThrow(channels, channelId))),
    },
    'PATCH /admin/channels/{channelId}': {
      right: 'manage',
      ids: { channelId: 'channel' },
      run: async ({ event, params: { channelId } }) => {
        const patch = parseBody(channelPatchSchema, event);
        return json(200, publicChannel(event, await patchChannel({ channels, now }, channelId, patch)));
      },
    },
    'POST /admin/channels/{channelId}/test-delivery': {
      right: 'manage',
      ids: { channelId: 'channel' },
      run: async ({ event, params: { channelId } }) => {
        const delivery = await channelTestDelivery({ channels, now }, channelId);
        return json(200, { webhookUrl: webhookUrl(event, { platform: delivery.platform, id: delivery.channelId }), ...delivery });
      },
    },
  } satisfies Partial<RouteTable<ServedRouteKey<'admin'>>>;
}
