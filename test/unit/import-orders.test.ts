import { describe, expect, it } from 'vitest';
import { customerLanes, importConcurrency, importDelivery, importOrders, type ImportPorts } from '../../functions/app/import-orders';
import { recordOrderChange, type Backoff } from '../../functions/app/record-events';
import type { Channel } from '../../functions/domain/channels';
import type { ImportRow } from '../../functions/domain/import/index';
import { ConflictError, NotFoundError } from '../../functions/shared/errors';
import { anOrder } from '../support/builders';
import { MemoryRepository } from '../support/memory-repository';

const noWait: Backoff = { sleep: async () => undefined, random: () => 0 };

function aChannel(overrides: Partial<Channel> = {}): Channel {
  return {
    id: 'ch_std',
    platform: 'standard',
    name: 'Store',
    webhookSecrets: ['s'],
    status: 'active',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

function ports(repo = new MemoryRepository(), channel: Channel | null = aChannel()): ImportPorts {
  return {
    channels: { get: async (id) => (channel?.id === id ? channel : undefined) },
    customers: repo,
    now: () => new Date('2026-03-05T00:00:00Z'),
  };
}

function generic(line: number, orderId: string, email: string, total: string, extra: Record<string, string> = {}): ImportRow {
  return {
    line,
    fields: { order_id: orderId, email, created_at: `2024-01-${String((line % 28) + 1).padStart(2, '0')}T12:00:00Z`, total, currency: 'USD', ...extra },
  };
}

const batch = (rows: ImportRow[]) => ({ channelId: 'ch_std', format: 'csv' as const, rows });

describe('Use case: importOrders', () => {
  it('records every good order on its customer and reports the bad rows by line', async () => {
    const repo = new MemoryRepository();
    const rows = [
      generic(2, 'o1', 'ann@example.com', '10.00'),
      generic(3, 'o2', 'ann@example.com', '15.00'),
      generic(4, 'o3', '', '1.00'),
      generic(5, 'o4', 'bob@example.com', '-2.00'),
      generic(6, 'o5', 'bob@example.com', '7.50'),
    ];

    const summary = await importOrders(ports(repo), batch(rows), { backoff: noWait });

    expect(summary).toEqual({
      imported: 3,
      duplicates: 0,
      unfinished: [],
      rejected: [
        { line: 4, reason: 'invalid order: customer_id, email, phone: at least one is required' },
        { line: 5, reason: 'invalid order: total: must not be negative' },
      ],
    });
    const figures = [...repo.profiles.values()].map((p) => [p.email, p.figures.orders, p.figures.grossMinor]);
    expect(figures).toEqual(
      expect.arrayContaining([
        ['ann@example.com', 2, 2500],
        ['bob@example.com', 1, 750],
      ]),
    );
    expect(repo.profiles.size).toBe(2);
  });

  it('changes nothing when the same batch comes again: every order is a duplicate', async () => {
    const repo = new MemoryRepository();
    const rows = [generic(2, 'o1', 'ann@example.com', '10.00', { refunded: '2.00' }), generic(3, 'o2', 'ann@example.com', '5.00')];
    await importOrders(ports(repo), batch(rows), { backoff: noWait });
    const before = structuredClone([...repo.profiles.values()]);

    const again = await importOrders(ports(repo), batch(rows), { backoff: noWait });

    expect(again).toEqual({ imported: 0, duplicates: 2, rejected: [], unfinished: [] });
    expect([...repo.profiles.values()]).toEqual(before);
  });

  it('keeps the rows of each order as its raw payload, under a delivery of the import', async () => {
    const repo = new MemoryRepository();
    const saved: unknown[] = [];
    const save = repo.saveOrder.bind(repo);
    repo.saveOrder = async (write) => {
      saved.push({ delivery: write.delivery, raw: JSON.parse(Buffer.from(write.raw ?? []).toString('utf8')) });
      return save(write);
    };
    const row = generic(2, 'o1', 'ann@example.com', '10.00');

    await importOrders(ports(repo), batch([row]), { backoff: noWait });

    expect(saved).toEqual([{ delivery: importDelivery('ch_std', 'o1', '2026-03-05T00:00:00.000Z'), raw: [row] }]);
    expect(importDelivery('ch_std', 'o1', 'T')).toEqual({ deliveryId: 'import:ch_std:o1', topic: 'import', receivedAt: 'T' });
  });

  it('leaves a newer webhook version of an order as it is', async () => {
    const repo = new MemoryRepository();
    const webhook = anOrder({
      channelId: 'ch_std',
      platform: 'standard',
      orderId: 'o1',
      updatedAt: '2024-02-01T00:00:00Z',
      totalMinor: 1200,
      refunds: { r1: 200 },
      customer: { email: 'ann@example.com' },
    });
    await recordOrderChange(repo, {
      platform: 'standard',
      change: { kind: 'order', order: webhook },
      delivery: { deliveryId: 'd1', topic: 'order.updated', receivedAt: '2024-02-01T00:00:00Z' },
      now: '2024-02-01T00:00:00Z',
    });

    const summary = await importOrders(
      ports(repo),
      batch([generic(2, 'o1', 'ann@example.com', '10.00', { refunded: '2.00' })]),
      { backoff: noWait },
    );

    expect(summary).toEqual({ imported: 0, duplicates: 1, rejected: [], unfinished: [] });
    expect(repo.orders.get('ch_std#o1')).toMatchObject({ totalMinor: 1200, refunds: { r1: 200 } });
  });

  it('reports a change the order path refuses at the order\'s line', async () => {
    const repo = new MemoryRepository();
    const webhook = anOrder({ channelId: 'ch_std', orderId: 'o1', updatedAt: '2024-01-02T00:00:00Z', totalMinor: 1000, refunds: { r1: 900 } });
    await recordOrderChange(repo, {
      platform: 'standard',
      change: { kind: 'order', order: webhook },
      delivery: { deliveryId: 'd1', topic: 'order.created', receivedAt: 'x' },
      now: 'x',
    });
    // A newer version from the file whose total is below what was already refunded.
    const rows = [
      generic(2, 'o1', 'ann@example.com', '5.00', { updated_at: '2024-01-09T00:00:00Z' }),
      generic(3, 'o2', 'ann@example.com', '1.00'),
      generic(4, 'o3', '', '1.00'),
    ];

    const summary = await importOrders(ports(repo), batch(rows), { backoff: noWait });

    expect(summary.imported).toBe(1);
    expect(summary.rejected).toEqual([
      { line: 2, reason: 'refunds over the order total: refunds: 900 refunded is more than the 500 paid (minor units)' },
      { line: 4, reason: 'invalid order: customer_id, email, phone: at least one is required' },
    ]);
  });

  it('takes the currency of the channel for a WooCommerce export without one', async () => {
    const repo = new MemoryRepository();
    const channel = aChannel({ platform: 'woocommerce', currency: 'EUR' });
    const row = { line: 2, fields: { 'Order ID': '9', 'Order Date': '2024-01-02 10:00:00', 'Order Total': '3.00', 'Billing Email': 'eve@example.com' } };

    await importOrders(ports(repo, channel), { channelId: 'ch_std', format: 'woocommerce-orders-csv', rows: [row] }, { backoff: noWait });

    expect(repo.orders.get('ch_std#9')).toMatchObject({ platform: 'woocommerce', currency: 'EUR', totalMinor: 300 });
  });

  it('records at most the given number of orders at once', async () => {
    const repo = new MemoryRepository();
    let running = 0;
    let most = 0;
    const get = repo.getOrder.bind(repo);
    repo.getOrder = async (channelId, orderId) => {
      running += 1;
      most = Math.max(most, running);
      try {
        return await get(channelId, orderId);
      } finally {
        running -= 1;
      }
    };
    const rows = Array.from({ length: 30 }, (_, i) => generic(i + 2, `o${i}`, `c${i}@example.com`, '1.00'));

    const summary = await importOrders(ports(repo), batch(rows), { concurrency: 3, backoff: noWait });

    expect(summary.imported).toBe(30);
    expect(most).toBe(3);
    expect(importConcurrency).toBe(8);
  });

  it('records the orders of one customer one after another, so they never race for the profile', async () => {
    const repo = new MemoryRepository();
    const inFlight = new Map<string, number>();
    let most = 0;
    const get = repo.getOrder.bind(repo);
    const save = repo.saveOrder.bind(repo);
    repo.getOrder = async (channelId, orderId) => {
      const customer = orderId.split('-')[0] as string;
      inFlight.set(customer, (inFlight.get(customer) ?? 0) + 1);
      most = Math.max(most, inFlight.get(customer) ?? 0);
      return get(channelId, orderId);
    };
    repo.saveOrder = async (write) => {
      await save(write);
      const customer = write.order.orderId.split('-')[0] as string;
      inFlight.set(customer, (inFlight.get(customer) ?? 1) - 1);
    };
    const rows = Array.from({ length: 40 }, (_, i) => generic(i + 2, `c${i % 4}-${i}`, `c${i % 4}@example.com`, '1.00'));

    const summary = await importOrders(ports(repo), batch(rows), { backoff: { sleep: async () => { throw new Error('no retry expected'); }, random: () => 0 } });

    expect(summary.imported).toBe(40);
    expect(most).toBe(1);
    expect([...repo.profiles.values()].map((p) => p.figures.orders)).toEqual([10, 10, 10, 10]);
  });

  it('leaves the orders it could not start within its budget as unfinished, by line', async () => {
    const repo = new MemoryRepository();
    let ms = 0;
    const save = repo.saveOrder.bind(repo);
    repo.saveOrder = async (write) => {
      await save(write);
      ms += 1000;
    };
    const clock: ImportPorts = { ...ports(repo), now: () => new Date(Date.UTC(2026, 2, 5) + ms) };
    const rows = Array.from({ length: 5 }, (_, i) => generic(i + 2, `o${i}`, `c${i}@example.com`, '1.00'));

    const summary = await importOrders(clock, batch(rows), { concurrency: 1, budgetMs: 2000, backoff: noWait });

    // Started at 0 and 1000; at 2000 the budget is spent.
    expect(summary).toMatchObject({ imported: 2, unfinished: [4, 5, 6] });
    expect(repo.orders.size).toBe(2);
    const unlimited = await importOrders(clock, batch(rows), { concurrency: 1, backoff: noWait });
    expect(unlimited).toMatchObject({ imported: 3, duplicates: 2, unfinished: [] });
  });

  it('puts orders in one lane by customer id, else email, else phone', () => {
    const entry = (orderId: string, customer: Record<string, string>) => ({ order: anOrder({ orderId, customer }) });
    const lanes = customerLanes([
      entry('1', { channelCustomerId: '7', email: 'a@example.com' }),
      entry('2', { email: 'a@example.com' }),
      entry('3', { channelCustomerId: '7' }),
      entry('4', { phone: '5550100' }),
      { order: undefined },
      entry('5', { email: 'a@example.com', phone: '5550100' }),
      entry('6', { phone: '5550100' }),
    ]);

    expect(lanes.map((lane) => lane.map((e) => e.order.orderId))).toEqual([['1', '3'], ['2', '5'], ['4', '6']]);
  });

  it('answers NotFoundError for an unknown channel and ConflictError for a redacted one', async () => {
    await expect(importOrders(ports(undefined, null), batch([]))).rejects.toBeInstanceOf(NotFoundError);
    await expect(importOrders(ports(undefined, aChannel({ status: 'redacted' })), batch([]))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});
