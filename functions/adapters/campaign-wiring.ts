// The campaign flows' ports on DynamoDB, SQS, SES and the stores' APIs, wired
// once per function: what the sender reads about a customer, where its coupon
// comes from, and how a send is put back for later.
import { randomBytes } from 'node:crypto';
import type { CouponProvider } from '../app/campaign-ports';
import type { CampaignRunJob, MatcherPorts } from '../app/match-campaigns';
import type { CustomerFacts, SenderPorts, SendTask } from '../app/send-campaign';
import { couponCode, couponCodeRandomBytes } from '../domain/campaigns/coupon-code';
import type { Channel } from '../domain/channels';
import type { CustomerProfile } from '../domain/customers';
import { DynamoCampaignStore } from './campaign-store';
import { getChannel } from './channel-store';
import { hasOpenComplaint } from './complaint-store';
import { couponProviderFor } from './coupons';
import { listCustomerShard, ordersOfCustomer } from './customer-queries';
import { DynamoCustomerRepository } from './customer-store';
import { claimTickWindow } from './campaign-tick';
import { sendRunMessages, sendTasks } from './campaign-queue';
import { lists } from './dynamo-keys';
import { DynamoJobStore } from './job-store';
import { DynamoScoreStore, scoresOf } from './score-store';
import { SesMailer } from './ses-mailer';
import { contactLogOf, DynamoSendStore, sendsOfCampaign } from './send-store';
import { suppressionOf } from './suppression-store';
import { unsubscribeLink } from './unsubscribe-links';

/** Products of a customer's own history used in a mail: the newest few. */
const productsInMail = 3;

/** Everything the sender decides on, read strongly consistent, in parallel. */
export async function customerFacts(tableName: string, customerId: string, campaignId: string): Promise<CustomerFacts | undefined> {
  const profile = await new DynamoCustomerRepository(tableName).getProfile(customerId);
  if (!profile || profile.redactedAt) return undefined;
  const [score, suppression, openComplaint, contact, priorSends, orders] = await Promise.all([
    new DynamoScoreStore(tableName).getScore(customerId),
    profile.email ? suppressionOf(tableName, profile.email) : Promise.resolve(null),
    hasOpenComplaint(tableName, customerId),
    contactLogOf(tableName, customerId),
    sendsOfCampaign(tableName, customerId, campaignId),
    ordersOfCustomer(tableName, customerId, 50),
  ]);
  const lines = orders.flatMap((order) => order.lineItems ?? []);
  return {
    profile,
    score,
    skus: [...new Set(lines.flatMap((line) => (line.sku ? [line.sku] : [])))],
    products: [...new Set(lines.map((line) => line.title))].slice(0, productsInMail),
    suppression,
    openComplaint,
    contact,
    priorSends,
  };
}

/** The customer's channels, the one of their newest order first: it names the store and issues the code. */
async function channelsOf(tableName: string, profile: CustomerProfile): Promise<Channel[]> {
  const [newest] = await ordersOfCustomer(tableName, profile.id, 1);
  const ids = [...new Set([...(newest ? [newest.channelId] : []), ...profile.channels])];
  const channels = await Promise.all(ids.map((id) => getChannel(tableName, id)));
  return channels.filter((channel): channel is Channel => channel !== undefined && channel.status === 'active');
}

/** The name of the store the customer last bought from, as the mail signs it. */
export async function storeNameOf(tableName: string, profile: CustomerProfile): Promise<string> {
  return (await channelsOf(tableName, profile))[0]?.name ?? 'our store';
}

export interface SenderWiring {
  tableName: string;
  sendsQueueUrl: string;
  publicUrl: string;
}

export function senderPorts(wiring: SenderWiring): SenderPorts {
  const { tableName } = wiring;
  const campaigns = new DynamoCampaignStore(tableName);
  return {
    campaigns: { get: (campaignId) => campaigns.get(campaignId) },
    customers: { facts: (customerId, campaignId) => customerFacts(tableName, customerId, campaignId) },
    sends: new DynamoSendStore(tableName),
    coupons: {
      providerFor: async (profile) => {
        for (const channel of await channelsOf(tableName, profile)) {
          const provider: CouponProvider | undefined = couponProviderFor(channel);
          if (provider) return { channelId: channel.id, storeName: channel.name, currency: channel.currency ?? null, provider };
        }
        return undefined;
      },
    },
    stores: { nameFor: (profile) => storeNameOf(tableName, profile) },
    mailer: new SesMailer(),
    unsubscribeUrl: (customerId, campaignId, email) => unsubscribeLink(tableName, wiring.publicUrl, { customerId, campaignId, email }),
    newCouponCode: () => couponCode(randomBytes(couponCodeRandomBytes)),
    deferTask: (task: SendTask, delaySeconds: number) => sendTasks(wiring.sendsQueueUrl, [task], delaySeconds),
    now: () => new Date(),
  };
}

export interface MatcherWiring {
  tableName: string;
  /** Only the matcher queues send tasks; the admin API only starts runs. */
  sendsQueueUrl?: string | undefined;
  campaignRunsQueueUrl: string;
}

/** The matcher's ports; the admin API uses them too, to start a run. */
export function matcherPorts(wiring: MatcherWiring): MatcherPorts {
  const { tableName } = wiring;
  const campaigns = new DynamoCampaignStore(tableName);
  return {
    campaigns: { active: () => campaigns.active(), get: (campaignId) => campaigns.get(campaignId) },
    customers: {
      shards: lists.customerShards,
      page: (shard, cursor, limit) => listCustomerShard(tableName, shard, { cursor, limit }),
      scoresOf: (customerIds) => scoresOf(tableName, customerIds),
      one: async (customerId) => {
        const [profile, score] = await Promise.all([
          new DynamoCustomerRepository(tableName).getProfile(customerId),
          new DynamoScoreStore(tableName).getScore(customerId),
        ]);
        return profile && !profile.redactedAt ? { profile, score } : undefined;
      },
    },
    jobs: new DynamoJobStore<CampaignRunJob>(tableName),
    queue: {
      sendTasks: (tasks) => {
        // Only a wiring bug reaches this: the function's definition does not send to the sends queue.
        if (wiring.sendsQueueUrl === undefined) throw new Error('this function does not send to the sends queue');
        return sendTasks(wiring.sendsQueueUrl, tasks);
      },
      runShards: (tasks) => sendRunMessages(wiring.campaignRunsQueueUrl, tasks),
    },
    claimTickWindow: (now, firstWindowMs) => claimTickWindow(tableName, now, firstWindowMs),
    now: () => new Date(),
    newJobId: () => `job_${randomBytes(12).toString('hex')}`,
  };
}
