import { describe, expect, it } from 'vitest';
import { quarantineId } from '../../functions/domain/quarantine';

describe('Domain: quarantineId', () => {
  it('names one delivery of one channel by the same id every time, as ids already stored were named', () => {
    expect(quarantineId('ch_a', 'wh-1')).toBe('q_b168dd71a85d4f4687a0973b');
    expect(quarantineId('ch_a', 'wh-1')).toBe(quarantineId('ch_a', 'wh-1'));
  });

  it('gives other deliveries, and the same delivery id on another channel, other ids', () => {
    const ids = [quarantineId('ch_a', 'wh-1'), quarantineId('ch_a', 'wh-2'), quarantineId('ch_b', 'wh-1'), quarantineId('ch_a\nwh', '1')];

    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^q_[0-9a-f]{24}$/);
  });
});
