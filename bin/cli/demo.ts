// `huitou demo`: fills a running stack with a believable store, through the
// same door a real store uses: signed webhooks to each channel's webhook URL,
// then the queue and the processor. Nothing is written to the table directly.
//
// Webhook secrets are never returned by the API, so the demo cannot sign for a
// channel it did not create: each run creates two new channels with secrets it
// makes up and keeps only in memory.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { webhookHeaders } from '../../functions/app/test-delivery';
import { seededRandom, simulatePopulation } from '../../functions/domain/scoring/simulate';
import type { Command, CommandContext } from './commands';
import { CliError, UsageError } from './errors';
import { buildDemoStore, demoCurrency, demoParams, demoShares, type DemoDelivery, type DemoPlatform } from './demo-store';

const MAX_CUSTOMERS = 100_000;
const MAX_MONTHS = 120;
const CONCURRENCY = 8;
/** Tries per delivery: a 5xx, 429 or lost connection is tried again, with backoff. */
const ATTEMPTS = 4;
const RETRY_BASE_MS = 200;
const BAR_WIDTH = 24;

interface CreatedChannel {
  id: string;
  platform: DemoPlatform;
  name: string;
  webhookUrl: string;
  secret: string;
}

export interface DemoSummary {
  seed: number;
  from: string;
  to: string;
  params: typeof demoParams;
  channels: { id: string; platform: DemoPlatform; name: string }[];
  customers: number;
  bothChannels: number;
  orders: number;
  refunds: number;
  cancellations: number;
  deliveries: { sent: number; failed: number; retried: number; perSecond: number };
  /** The first few failures, with the answer, to tell why. */
  failures: { topic: string; status: number | string; answer: string }[];
}

function wholeNumber(flag: string, raw: unknown, min: number, max: number): number {
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (got "${String(raw)}")`, demo.usage);
  }
  return Number(raw);
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The window: the same day M months back (clamped to the month's end) up to today, today excluded. */
export function demoWindow(now: Date, months: number): { start: string; end: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return { start: day(Date.UTC(y, m, Math.min(now.getUTCDate(), lastDay))), end: day(now.getTime()) };
}

async function createChannel(ctx: CommandContext, platform: DemoPlatform, name: string): Promise<CreatedChannel> {
  const secret = `demo_${randomBytes(24).toString('hex')}`;
  const { body } = await ctx.client.post<{ id: string; webhookUrl?: string }>('/admin/channels', {
    platform,
    name,
    webhookSecret: secret,
    currency: demoCurrency,
  });
  if (!body.webhookUrl) throw new CliError(`the API created channel ${body.id} but named no webhook URL`);
  return { id: body.id, platform, name, webhookUrl: body.webhookUrl, secret };
}

type Attempt = { ok: true; retried: number } | { ok: false; retried: number; status: number | string; answer: string };

async function deliver(channel: CreatedChannel, delivery: DemoDelivery, deliveryId: string): Promise<Attempt> {
  const body = JSON.stringify(delivery.body());
  let last: { status: number | string; answer: string } = { status: 'none', answer: '' };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
    // Signed at each try: Standard Webhooks would refuse an old timestamp, and it costs nothing.
    const headers = webhookHeaders(channel.platform, channel.secret, {
      body,
      topic: delivery.topic,
      deliveryId,
      now: new Date(),
    });
    try {
      const response = await fetch(channel.webhookUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const answer = await response.text();
      if (response.ok) return { ok: true, retried: attempt };
      last = { status: response.status, answer: answer.slice(0, 200) };
      if (response.status < 500 && response.status !== 429) return { ok: false, retried: attempt, ...last };
    } catch (error) {
      const { cause } = error as { cause?: { code?: string; message?: string } };
      last = { status: 'no connection', answer: cause?.code ?? cause?.message ?? String(error) };
    }
  }
  return { ok: false, retried: ATTEMPTS - 1, ...last };
}

function progressLine(done: number, total: number, startedAt: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  const seconds = (Date.now() - startedAt) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} deliveries  ${rate.toFixed(1)}/s`;
}

/**
 * Starts `deliveries` in list order with at most CONCURRENCY in flight, so a
 * follow-up starts only after every creation has started: roughly the order a
 * store sends in (the processor copes with any order, through placeholders).
 */
async function sendAll(
  ctx: CommandContext,
  deliveries: DemoDelivery[],
  channels: Record<DemoPlatform, CreatedChannel>,
  runId: string,
): Promise<{ sent: number; failed: number; retried: number; seconds: number; failures: DemoSummary['failures'] }> {
  const startedAt = Date.now();
  const result = { sent: 0, failed: 0, retried: 0, failures: [] as DemoSummary['failures'] };
  let nextIndex = 0;
  let lastDrawn = 0;
  const draw = (force = false) => {
    if (!ctx.isTTY) return;
    if (!force && Date.now() - lastDrawn < 100) return;
    lastDrawn = Date.now();
    ctx.err(`\r${progressLine(result.sent + result.failed, deliveries.length, startedAt)}`);
  };
  if (!ctx.isTTY && !ctx.json) ctx.err(`sending ${deliveries.length} deliveries, ${CONCURRENCY} at a time…\n`);

  const worker = async () => {
    for (;;) {
      const index = nextIndex++;
      const delivery = deliveries[index];
      if (delivery === undefined) return;
      const outcome = await deliver(channels[delivery.platform], delivery, `demo-${runId}-${index}`);
      result.retried += outcome.retried;
      if (outcome.ok) {
        result.sent++;
      } else {
        result.failed++;
        if (result.failures.length < 5) {
          result.failures.push({ topic: delivery.topic, status: outcome.status, answer: outcome.answer });
        }
      }
      draw();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  draw(true);
  if (ctx.isTTY) ctx.err('\n');
  return { ...result, seconds: (Date.now() - startedAt) / 1000 };
}

function describeParams(): string {
  const { bgnbd, gammaGamma } = demoParams;
  return (
    `  BG/NBD       r=${bgnbd.r} alpha=${bgnbd.alpha} (weeks) a=${bgnbd.a} b=${bgnbd.b}: ` +
    `mean ${(bgnbd.r / bgnbd.alpha).toFixed(3)} orders a week while alive, ` +
    `dropout ${(bgnbd.a / (bgnbd.a + bgnbd.b)).toFixed(2)} after each repeat\n` +
    `  Gamma-Gamma  p=${gammaGamma.p} q=${gammaGamma.q} gamma=${gammaGamma.gamma}: ` +
    `mean spend ${((gammaGamma.p * gammaGamma.gamma) / (gammaGamma.q - 1)).toFixed(2)} ${demoCurrency} an order\n` +
    `  shares       both channels ${demoShares.bothChannels}, cancelled ${demoShares.cancelled}, ` +
    `refunded ${demoShares.refunded}, discount code ${demoShares.discounted}, ` +
    `Shopify consent subscribed ${demoShares.subscribed} / not ${demoShares.notSubscribed} / unknown ` +
    `${(1 - demoShares.subscribed - demoShares.notSubscribed).toFixed(1)} (WooCommerce: unknown)\n`
  );
}

function printSummary(ctx: CommandContext, summary: DemoSummary): void {
  const d = summary.deliveries;
  const lines = [
    `\nDemo store filled (seed ${summary.seed}, ${summary.from} to ${summary.to}):`,
    ...summary.channels.map((c) => `  channel      ${c.name} (${c.id}, ${c.platform})`),
    `  customers    ${summary.customers} (${summary.bothChannels} on both channels)`,
    `  orders       ${summary.orders}`,
    `  refunds      ${summary.refunds}`,
    `  cancelled    ${summary.cancellations}`,
    `  deliveries   ${d.sent} sent, ${d.failed} failed, ${d.retried} retries, ${d.perSecond.toFixed(1)}/s`,
    ...summary.failures.map((f) => `  failed       ${f.topic}: ${f.status} ${f.answer}`),
    '',
    'The processor works through the queue in the background. Then: huitou rescore --wait, huitou segments, huitou model',
    '',
  ];
  ctx.out(lines.join('\n'));
}

export const demo: Command = {
  name: 'demo',
  usage: 'demo --customers <1..100000> --months <1..120> [--seed <n>]',
  summary: 'fill the stack with a simulated store through signed webhooks (two new channels each run)',
  options: { customers: { type: 'string' }, months: { type: 'string' }, seed: { type: 'string' } },
  args: [],
  required: ['customers', 'months'],
  async run(ctx) {
    const customers = wholeNumber('customers', ctx.values.customers, 1, MAX_CUSTOMERS);
    const months = wholeNumber('months', ctx.values.months, 1, MAX_MONTHS);
    const seed =
      ctx.values.seed === undefined
        ? randomBytes(4).readUInt32BE(0)
        : wholeNumber('seed', ctx.values.seed, 0, 0xffff_ffff);
    const now = new Date();
    const { start, end } = demoWindow(now, months);
    const random = seededRandom(seed);
    const population = simulatePopulation(demoParams, { customers, start, end, random });
    const store = buildDemoStore(population, { random, now });

    if (!ctx.json) {
      ctx.err(`Simulating ${customers} customers from ${start} to ${end} (seed ${seed}) with:\n${describeParams()}`);
      ctx.err('Creating two new channels (webhook secrets are never shown again, so the demo makes its own).\n');
    }
    const channels = {
      shopify: await createChannel(ctx, 'shopify', 'Demo Shopify'),
      woocommerce: await createChannel(ctx, 'woocommerce', 'Demo WooCommerce'),
    };
    const runId = randomBytes(4).toString('hex');
    const sent = await sendAll(ctx, store.deliveries, channels, runId);

    const summary: DemoSummary = {
      seed,
      from: start,
      to: end,
      params: demoParams,
      channels: Object.values(channels).map(({ id, platform, name }) => ({ id, platform, name })),
      ...store.counts,
      deliveries: {
        sent: sent.sent,
        failed: sent.failed,
        retried: sent.retried,
        perSecond: sent.seconds > 0 ? (sent.sent + sent.failed) / sent.seconds : 0,
      },
      failures: sent.failures,
    };
    if (ctx.json) ctx.out(`${JSON.stringify(summary, null, 2)}\n`);
    else printSummary(ctx, summary);
    if (sent.failed > 0) throw new CliError(`${sent.failed} of ${store.deliveries.length} deliveries failed`);
  },
};
