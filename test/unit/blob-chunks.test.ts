import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkRanges, chunkSortKey, maxChunkBytes } from '../../functions/adapters/blob-store';

/** DynamoDB's item limit: a chunk plus its keys and version must stay well under it. */
const dynamoItemLimit = 400 * 1024;

describe('chunkRanges', () => {
  it.each([
    [0, 0],
    [1, 0],
    [maxChunkBytes - 1, 0],
    [maxChunkBytes, 0],
    [maxChunkBytes + 1, 2],
    [2 * maxChunkBytes, 2],
    [2 * maxChunkBytes + 1, 3],
    [1024 * 1024, 3],
  ])('splits %i bytes into %i chunks', (size, chunks) => {
    expect(chunkRanges(size)).toHaveLength(chunks);
  });

  it('covers every byte once, in order, with no chunk over the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 * 1024 * 1024 }), fc.integer({ min: 1000, max: 512 * 1024 }), (size, chunkBytes) => {
        const ranges = chunkRanges(size, chunkBytes);
        if (size <= chunkBytes) return ranges.length === 0;
        return (
          ranges[0]!.start === 0 &&
          ranges.at(-1)!.end === size &&
          ranges.every((range, i) => range.end > range.start && range.end - range.start <= chunkBytes && (i === 0 || range.start === ranges[i - 1]!.end))
        );
      }),
    );
  });

  it('leaves room under the 400 KB item for keys and attributes', () => {
    expect(dynamoItemLimit - maxChunkBytes).toBeGreaterThanOrEqual(40 * 1024);
  });
});

describe('chunkSortKey', () => {
  it('sorts chunks by index as DynamoDB compares strings', () => {
    const keys = Array.from({ length: 1200 }, (_, i) => chunkSortKey('PAYLOAD', 'v1', i));

    expect([...keys].sort()).toEqual(keys);
    expect(keys[11]).toBe('PAYLOAD#v1#0011');
  });
});
