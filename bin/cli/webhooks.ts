// `huitou webhooks send-test <channelId>`: a newcomer's first delivery. The API
// signs a sample order with the channel's secret (which it never reveals); the
// CLI sends it to the channel's webhook URL, as the store would, then watches
// where it lands: on the test customer, or in quarantine with the reason.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestDelivery as TestDeliveryAnswer } from '../../functions/app/test-delivery';
import { apiPath } from './client';
import type { Command, CommandContext } from './commands';
import { ApiError, CliError, UsageError } from './errors';
import { cell, keyValues, summarizeIssues } from './format';

/** What POST /admin/channels/{id}/test-delivery answers: the signed delivery and where to send it. */
type TestDelivery = TestDeliveryAnswer & { webhookUrl: string };

interface QuarantineEntry {
  id: string;
  reason?: string;
  issues?: unknown;
}

interface CustomerWithOrders {
  id: string;
  email?: string | null;
  orders?: { channelId?: string; orderId?: string }[];
}

type Outcome =
  | { kind: 'processed'; customer: CustomerWithOrders }
  | { kind: 'quarantined'; entry: QuarantineEntry }
  | { kind: 'timeout' };

const POLL_MS = 250;

async function send(delivery: TestDelivery): Promise<{ status: number; text: string }> {
  let response: Response;
  try {
    // No Authorization header: the webhook URL gets what a store sends, and nothing of the admin key.
    response = await fetch(delivery.webhookUrl, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(`cannot reach the webhook URL ${delivery.webhookUrl} (${cause})`);
  }
  return { status: response.status, text: await response.text() };
}

async function quarantined(ctx: CommandContext, delivery: TestDelivery): Promise<QuarantineEntry | undefined> {
  try {
    return (await ctx.client.get<QuarantineEntry>(apiPath`/admin/quarantine/${delivery.quarantineId}`)).body;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

async function customerWithOrder(ctx: CommandContext, delivery: TestDelivery): Promise<CustomerWithOrders | undefined> {
  if (!delivery.customerEmail) return undefined;
  const { body: page } = await ctx.client.get<{ items: { id: string }[] }>('/admin/customers', {
    email: delivery.customerEmail,
  });
  const found = page.items[0];
  if (!found) return undefined;
  const { body: customer } = await ctx.client.get<CustomerWithOrders>(apiPath`/admin/customers/${found.id}`);
  const has = customer.orders?.some((o) => o.channelId === delivery.channelId && o.orderId === delivery.orderId);
  return has ? customer : undefined;
}

/** Looks until the delivery is on the customer or in quarantine, or the time is up. */
async function watch(ctx: CommandContext, delivery: TestDelivery, timeoutSeconds: number): Promise<Outcome> {
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  if (!ctx.isTTY) ctx.err(`waiting for the processor (up to ${timeoutSeconds} s)…\n`);
  try {
    for (;;) {
      const entry = await quarantined(ctx, delivery);
      if (entry) return { kind: 'quarantined', entry };
      const customer = await customerWithOrder(ctx, delivery);
      if (customer) return { kind: 'processed', customer };
      if (Date.now() >= deadline) return { kind: 'timeout' };
      if (ctx.isTTY) {
        ctx.err(`\rwaiting for the processor… ${Math.round((Date.now() - started) / 1000)} s of ${timeoutSeconds}`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    if (ctx.isTTY) ctx.err('\r\x1b[2K');
  }
}

/** A BigCommerce test names order 0: the store answering 404 for it is the expected end. */
function storeSaidNoSuchOrder(entry: QuarantineEntry): boolean {
  return /answered 404\b/.test(entry.reason ?? '');
}

function report(delivery: TestDelivery, outcome: Outcome): { text: string; ok: boolean } {
  switch (outcome.kind) {
    case 'processed': {
      const email = delivery.customerEmail ?? '';
      const counted = delivery.testOrder
        ? `  It carries the ${delivery.platform} test flag: kept on the customer, not counted in the figures.\n`
        : `  ${delivery.platform} has no test orders: this one counts in the customer's figures.\n`;
      return {
        ok: true,
        text:
          `Processed: order ${cell(delivery.orderId)} is on customer ${cell(outcome.customer.id)} (${cell(email)}).\n` +
          counted +
          `  See it: huitou customers show ${email}\n`,
      };
    }
    case 'quarantined': {
      const { entry } = outcome;
      const details = keyValues(
        [
          ['reason', entry.reason],
          ['issues', summarizeIssues(entry.issues)],
          ['entry', entry.id],
        ],
        '  ',
      );
      if (delivery.expect === 'store-fetch' && storeSaidNoSuchOrder(entry)) {
        return {
          ok: true,
          text:
            'Quarantined, as expected for BigCommerce:\n' +
            details +
            '  The signature and the queue work, and the store accepted the channel\'s API token: a BigCommerce\n' +
            '  webhook names only an order id, and huitou asked the store for order 0, which no store has.\n' +
            '  Real orders are fetched the same way. The entry stays in quarantine as the trace of this test.\n',
        };
      }
      const hint =
        delivery.expect === 'store-fetch'
          ? '  huitou could not fetch the order from the store: check the channel\'s --api-base-url and --api-token.\n'
          : '';
      return { ok: false, text: `Quarantined: the processor could not use the delivery.\n${details}${hint}` };
    }
    case 'timeout': {
      const where = delivery.customerEmail ? `neither on ${delivery.customerEmail} nor in quarantine` : 'not in quarantine';
      const why =
        delivery.expect === 'store-fetch'
          ? '  It is still queued, or the store API did not answer and the fetch waits for a retry.\n'
          : '  It is still queued, or failed and waits for a retry: the log of the processor says why.\n';
      return {
        ok: false,
        text:
          `No outcome yet: the delivery was accepted, but it is ${where}.\n` +
          why +
          (delivery.customerEmail
            ? `  Look again with: huitou customers show ${delivery.customerEmail}\n`
            : '  Look again with: huitou quarantine list\n'),
      };
    }
  }
}

function timeoutOf(ctx: CommandContext): number {
  const raw = ctx.values.timeout;
  if (raw === undefined) return 30;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`--timeout must be a whole number of seconds (got "${String(raw)}")`, webhooksSendTest.usage);
  }
  return Number(raw);
}

export const webhooksSendTest: Command = {
  name: 'webhooks send-test',
  usage: 'webhooks send-test <channelId> [--timeout <seconds>]',
  summary: 'send a signed sample order to the webhook URL, then show where it landed',
  options: { timeout: { type: 'string' } },
  args: ['channelId'],
  async run(ctx) {
    const [channelId] = ctx.args as [string];
    const timeoutSeconds = timeoutOf(ctx);
    const { body: delivery } = await ctx.client.post<TestDelivery>(apiPath`/admin/channels/${channelId}/test-delivery`);
    if (!ctx.json) ctx.out(`Sending a test order (${cell(delivery.platform)}) to ${cell(delivery.webhookUrl)}\n`);

    const answer = await send(delivery);
    if (!ctx.json) ctx.out(`  answer: ${answer.status} ${cell(answer.text.slice(0, 200))}\n`);
    const webhook = { url: delivery.webhookUrl, status: answer.status, body: answer.text };
    if (answer.status < 200 || answer.status > 299) {
      if (ctx.json) ctx.out(`${JSON.stringify({ webhook, orderId: delivery.orderId, outcome: 'refused' }, null, 2)}\n`);
      throw new CliError(
        `the webhook URL answered ${answer.status}: the delivery was not accepted, so nothing was stored`,
      );
    }

    const outcome = await watch(ctx, delivery, timeoutSeconds);
    const { text, ok } = report(delivery, outcome);
    if (ctx.json) {
      const found =
        outcome.kind === 'processed'
          ? { customerId: outcome.customer.id }
          : outcome.kind === 'quarantined'
            ? { quarantine: outcome.entry }
            : {};
      ctx.out(`${JSON.stringify({ webhook, orderId: delivery.orderId, outcome: outcome.kind, ...found }, null, 2)}\n`);
    } else {
      ctx.out(text);
    }
    if (!ok) throw new CliError(outcome.kind === 'timeout' ? `no outcome within ${timeoutSeconds} s` : 'the test delivery was quarantined');
  },
};
