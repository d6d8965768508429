// Channels: connect a store, list and show channels with their webhook URLs,
// change one (rotating its secret, setting where its coupons are created), and
// sign a sample delivery for `huitou webhooks send-test`. Secrets, tokens and
// coupon credentials are never answered.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { channelView, createChannel, getChannel, listChannels, replaceChannel } from '../../adapters/channel-store';
import { nextCouponSettings, type Channel } from '../../domain/channels';
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

  const secret = z.string().min(1).max(1024);
  // Every URL a coupon credential is sent to passes the store URL policy; a
  // Shopify shop is named by its myshopify.com domain, never by a URL.
  const couponSettingsSchema = z.discriminatedUnion('provider', [
    z.object({ provider: z.literal('none') }).strict(),
    z
      .object({
        provider: z.literal('shopify'),
        shopDomain: z
          .string()
          .max(255)
          .regex(/^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$/i, 'the shop\'s x.myshopify.com domain')
          .transform((domain) => domain.toLowerCase()),
        adminApiBaseUrl: storeApiUrlSchema.optional(),
        credentials: z.object({ accessToken: secret }).strict().optional(),
      })
      .strict(),
    z
      .object({
        provider: z.literal('woocommerce'),
        siteUrl: storeApiUrlSchema,
        adminApiBaseUrl: storeApiUrlSchema.optional(),
        credentials: z.object({ consumerKey: secret, consumerSecret: secret }).strict().optional(),
      })
      .strict(),
    z
      .object({
        provider: z.literal('bigcommerce'),
        storeHash: z.string().regex(/^[a-z0-9]{1,64}$/i, 'the store hash (letters and digits)'),
        adminApiBaseUrl: storeApiUrlSchema.optional(),
        credentials: z.object({ accessToken: secret }).strict().optional(),
      })
      .strict(),
  ]);

  const newChannelSchema = z
    .object({
      platform: z.enum(platforms),
      name: z.string().trim().min(1).max(200),
      webhookSecret: z.string().min(1).max(1024),
      apiBaseUrl: storeApiUrlSchema.optional(),
      apiToken: z.string().min(1).max(1024).optional(),
      currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code').optional(),
      coupons: couponSettingsSchema.optional(),
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
      coupons: couponSettingsSchema.nullable().optional(),
    })
    .strict();

  return {
    'POST /admin/channels': {
      right: 'manage',
      run: async ({ event }) => {
        const { coupons, ...input } = parseBody(newChannelSchema, event);
        const channel = await createChannel(tableName, {
          ...input,
          coupons: coupons && nextCouponSettings(input.platform, undefined, coupons),
        });
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
