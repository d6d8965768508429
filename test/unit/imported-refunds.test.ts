// An imported order carries its refunds as one total (importedRefundsKey);
// the store's webhooks list refunds by id. Whatever comes first, the two
// never add up.
import { describe, expect, it } from 'vitest';
import { applyOrderChange, importedRefundsKey, type OrderRecord } from '../../functions/domain/orders';
import { anOrder, aRefund } from '../support/builders';

const I = importedRefundsKey;
const day = (d: number) => `2026-03-0${d}T00:00:00Z`;

function stored(updatedAt: string, refunds: Record<string, number>, placeholder = false): OrderRecord {
  const { customer: _facts, ...order } = anOrder({ updatedAt, refunds });
  return { ...order, placeholder };
}

const version = (updatedAt: string, refunds: Record<string, number>) =>
  ({ kind: 'order', order: anOrder({ updatedAt, refunds }) }) as const;

describe('Function: applyOrderChange, with an imported refund total', () => {
  it('ignores an imported total on an order whose refunds by id are known', () => {
    const next = applyOrderChange('shopify', stored(day(2), { r1: 1000 }), version(day(2), { [I]: 1000 }));

    expect(next.refunds).toEqual({ r1: 1000 });
  });

  it('ignores an older imported total on an order whose refunds by id are known', () => {
    const next = applyOrderChange('shopify', stored(day(3), { r1: 1000 }), version(day(2), { [I]: 1000 }));

    expect(next.refunds).toEqual({ r1: 1000 });
  });

  it('replaces a stored imported total with the refunds by id of a newer version', () => {
    const next = applyOrderChange('shopify', stored(day(2), { [I]: 1000 }), version(day(3), { r1: 600, r2: 400 }));

    expect(next.refunds).toEqual({ r1: 600, r2: 400 });
  });

  it('keeps a stored imported total against a newer version that lists no refunds', () => {
    const next = applyOrderChange('shopify', stored(day(2), { [I]: 1000 }), version(day(3), {}));

    expect(next.refunds).toEqual({ [I]: 1000 });
  });

  it('adds nothing of an older version to a stored imported total', () => {
    const next = applyOrderChange('shopify', stored(day(3), { [I]: 1000 }), version(day(2), { r1: 1000 }));

    expect(next.refunds).toEqual({ [I]: 1000 });
  });

  it('takes the newer of two imported totals', () => {
    expect(applyOrderChange('shopify', stored(day(2), { [I]: 1000 }), version(day(3), { [I]: 1500 })).refunds).toEqual({
      [I]: 1500,
    });
    expect(applyOrderChange('shopify', stored(day(3), { [I]: 1500 }), version(day(2), { [I]: 1000 })).refunds).toEqual({
      [I]: 1500,
    });
  });

  it('adds a refund that arrives alone to the imported total, and a re-import then changes nothing', () => {
    const imported = stored(day(2), { [I]: 1000 });
    const refunded = applyOrderChange('shopify', imported, { kind: 'refund', refund: aRefund({ refundId: 'r9', amountMinor: 300 }) });
    expect(refunded.refunds).toEqual({ [I]: 1000, r9: 300 });

    const again = applyOrderChange('shopify', refunded, version(day(2), { [I]: 1000 }));

    expect(again.refunds).toEqual({ [I]: 1000, r9: 300 });
  });

  it('drops the imported total of a newer store version listing every refund by id', () => {
    const next = applyOrderChange('shopify', stored(day(2), { [I]: 1000, r9: 300 }), version(day(4), { r1: 1000, r9: 300 }));

    expect(next.refunds).toEqual({ r1: 1000, r9: 300 });
  });

  it('keeps the refunds by id of a placeholder over the total of the imported order that follows', () => {
    const next = applyOrderChange('shopify', stored('', { r1: 400 }, true), version(day(2), { [I]: 1000 }));

    expect(next).toMatchObject({ placeholder: false, refunds: { r1: 400 } });
  });

  it('keeps the imported total when the placeholder holds no refund by id', () => {
    const next = applyOrderChange('shopify', stored('', {}, true), version(day(2), { [I]: 1000 }));

    expect(next.refunds).toEqual({ [I]: 1000 });
  });
});
