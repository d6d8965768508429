// The shard of a customer in the customer list: a pure function of the id,
// the same in every process and version, and spread evenly over the shards.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerListShards } from '../../lib/resources';
import { customerListShard, lists } from '../../functions/adapters/dynamo-keys';

const customerId = fc.uint8Array({ minLength: 10, maxLength: 10 }).map((bytes) => `cus_${Buffer.from(bytes).toString('hex')}`);

describe('Keys: customerListShard', () => {
  it('names one of the shards of the list, never the unsharded partition', () => {
    fc.assert(
      fc.property(fc.oneof(customerId, fc.string()), (id) => {
        const shard = customerListShard(id);
        expect(lists.customerShards).toContain(shard);
        expect(shard).toMatch(/^CUSTOMERS#\d\d$/);
      }),
    );
    expect(lists.customerShards).toHaveLength(customerListShards);
    expect(new Set(lists.customerShards).size).toBe(customerListShards);
    expect(lists.customerShards).not.toContain(lists.unshardedCustomers);
  });

  it('keeps the shard of an id across versions: the first 32 bits of its SHA-256, modulo the count', () => {
    // Fixed values: a change of the hash would leave stored profiles where the
    // full pass and the migration no longer expect them.
    expect(customerListShard('cus_00000000000000000000')).toBe('CUSTOMERS#07');
    expect(customerListShard('cus_0123456789abcdef0123')).toBe('CUSTOMERS#08');
    fc.assert(
      fc.property(customerId, (id) => {
        const n = createHash('sha256').update(id).digest().readUInt32BE(0) % customerListShards;
        expect(customerListShard(id)).toBe(lists.customerShards[n]);
      }),
    );
  });

  it('spreads 16,000 ids evenly: every shard within 10% of its share', () => {
    const counts = new Map<string, number>();
    for (let n = 0; n < 16_000; n += 1) {
      const id = `cus_${createHash('md5').update(String(n)).digest('hex').slice(0, 20)}`;
      const shard = customerListShard(id);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }

    const share = 16_000 / customerListShards;
    expect(counts.size).toBe(customerListShards);
    for (const count of counts.values()) expect(Math.abs(count - share) / share).toBeLessThan(0.1);
  });
});
