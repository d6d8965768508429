import { describe, expect, it } from 'vitest';
import { idPrefixes, isId, type IdKind } from '../../functions/domain/ids';

describe('Function: isId', () => {
  it.each([
    ['customer', 'cus_0123456789abcdef'],
    ['channel', 'ch_0123456789abcdef01234567'],
    ['quarantine', 'q_ab'],
    ['dataExport', 'exp_f'],
    ['apiKey', `key_${'a'.repeat(64)}`],
  ] as const)('takes a %s id: its prefix, then 1 to 64 lower-case hex digits', (kind, id) => {
    expect(isId(kind, id)).toBe(true);
  });

  it('names each kind by its own prefix', () => {
    expect(idPrefixes).toEqual({ customer: 'cus_', channel: 'ch_', quarantine: 'q_', dataExport: 'exp_', apiKey: 'key_', job: 'job_', campaign: 'cmp_', complaint: 'cpl_' });
  });

  it.each([
    ['another kind\'s prefix', 'channel', 'cus_0123456789abcdef'],
    ['no prefix', 'customer', '0123456789abcdef'],
    ['the prefix alone', 'customer', 'cus_'],
    ['upper-case hex', 'customer', 'cus_ABCDEF'],
    ['a letter past f', 'customer', 'cus_abcg'],
    ['65 digits', 'customer', `cus_${'a'.repeat(65)}`],
    ['something before the prefix', 'customer', 'xcus_ab'],
    ['something after the digits', 'customer', 'cus_ab/..'],
    ['a line break after the digits', 'customer', 'cus_ab\n'],
  ] as [string, IdKind, string][])('refuses %s', (_, kind, value) => {
    expect(isId(kind, value)).toBe(false);
  });
});
