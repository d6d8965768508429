// A local stack for one integration suite: in memory, its own table and
// queues, free ports. Plus the calls a store and a staff member would make.
import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { signBodyHmac, signStandardWebhook } from '../../functions/adapters/signatures';
import type { HandlerOverrides } from '../../bin/local/lambda';
import { queues, type QueueName } from '../../lib/resources';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';

process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';

export interface TestStack {
  stack: LocalStack;
  api<T = unknown>(path: string, init?: { method?: string; body?: unknown; key?: string }): Promise<{ status: number; body: T }>;
  createChannel(input: Record<string, unknown>): Promise<{ id: string; webhookUrl: string }>;
  deliver(url: string, body: Buffer | string, headers: Record<string, string>): Promise<number>;
  /** Resolves once every queue (not the DLQs) is empty and nothing is in flight; fails after `timeoutMs` (default 30 s). */
  settled(timeoutMs?: number): Promise<void>;
  queueDepth(queue: QueueName | `${QueueName}Dlq`): Promise<number>;
  /** The customer with this email as GET /admin/customers/{id} shows it (orders included); undefined if none. */
  customerByEmail<T = Record<string, any>>(email: string): Promise<T | undefined>;
  /** Like customerByEmail, but a missing customer fails the test. */
  requireCustomer<T = Record<string, any>>(email: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestStack(options: { retryDelaySeconds?: number; handlers?: HandlerOverrides } = {}): Promise<TestStack> {
  const stack = await startLocalStack({
    port: 0,
    inMemory: true,
    tableName: `t${randomBytes(4).toString('hex')}`,
    retryDelaySeconds: options.retryDelaySeconds ?? 0,
    handlers: options.handlers,
  });
  const sqs = new SQSClient({
    endpoint: stack.endpoints.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const queueDepth = async (queue: QueueName | `${QueueName}Dlq`): Promise<number> => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.queueUrls[queue],
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']
      .map((name) => Number(Attributes?.[name as 'ApproximateNumberOfMessages'] ?? 0))
      .reduce((a, b) => a + b, 0);
  };

  const api: TestStack['api'] = async (path, init = {}) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${init.key ?? stack.adminKey}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as never };
  };

  const customerByEmail = async <T,>(email: string): Promise<T | undefined> => {
    const found = await api<{ items: { id: string }[] }>(`/admin/customers?email=${encodeURIComponent(email)}`);
    if (found.status !== 200) throw new Error(`customer search answered ${found.status}`);
    const [first] = found.body.items;
    if (!first) return undefined;
    const detail = await api<T>(`/admin/customers/${first.id}`);
    if (detail.status !== 200) throw new Error(`customer ${first.id} answered ${detail.status}`);
    return detail.body;
  };

  return {
    stack,
    api,
    customerByEmail,
    async requireCustomer<T>(email: string) {
      const customer = await customerByEmail<T>(email);
      if (!customer) throw new Error(`no customer with email ${email}`);
      return customer;
    },
    async createChannel(input) {
      const { status, body } = await api<{ id: string; webhookUrl: string }>('/admin/channels', { body: input });
      if (status !== 201) throw new Error(`channel not created: ${status} ${JSON.stringify(body)}`);
      return body;
    },
    async deliver(url, body, headers) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      await response.arrayBuffer();
      return response.status;
    },
    async settled(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      // Two empty looks in a row: a record between receive and delete counts as not visible.
      let emptyLooks = 0;
      while (emptyLooks < 2) {
        if (Date.now() > deadline) throw new Error(`queues did not settle within ${timeoutMs / 1000} s`);
        const depths = await Promise.all((Object.keys(queues) as QueueName[]).map((queue) => queueDepth(queue)));
        emptyLooks = depths.every((depth) => depth === 0) ? emptyLooks + 1 : 0;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    queueDepth,
    stop: () => stack.stop(),
  };
}

export function shopifyHeaders(body: Buffer | string, secret: string, topic: string, webhookId: string): Record<string, string> {
  return {
    'x-shopify-hmac-sha256': signBodyHmac(Buffer.from(body), secret),
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': webhookId,
    'x-shopify-event-id': `event-${webhookId}`,
  };
}

export function wooHeaders(body: Buffer | string, secret: string, topic: string, deliveryId: string): Record<string, string> {
  return {
    'x-wc-webhook-signature': signBodyHmac(Buffer.from(body), secret),
    'x-wc-webhook-topic': topic,
    'x-wc-webhook-delivery-id': deliveryId,
  };
}

export function standardHeaders(body: Buffer | string, secret: string, id: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(Buffer.from(body), secret, id, timestamp),
  };
}
