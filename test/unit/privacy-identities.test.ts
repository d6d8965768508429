import { describe, expect, it } from 'vitest';
import {
  heldTokens,
  identitiesInBody,
  identitiesInPayload,
  maxStoredDigests,
  payloadDigests,
  phoneSpellings,
  soughtTokens,
} from '../../functions/domain/privacy';

const none = { emails: [], phones: [], customerIds: [], orderIds: [] };
const customerIdsOf = (value: unknown) => identitiesInBody({ topic: 'orders/create', body: { customer_id: value } }).customerIds;

describe('Domain: the ids a payload names', () => {
  it.each([
    ['a positive integer', 42, ['42']],
    ['a string, trimmed', ' c-17 ', ['c-17']],
    ['a string of 256 characters', 'x'.repeat(256), ['x'.repeat(256)]],
    ['zero, a guest', 0, []],
    ['the string zero', '0', []],
    ['a negative number', -3, []],
    ['a fraction', 1.5, []],
    ['an integer past 2^53', 2 ** 53, []],
    ['an empty string', '', []],
    ['blanks', '   ', []],
    ['a string of 257 characters', 'x'.repeat(257), []],
    ['an object', { id: 5 }, []],
  ])('takes %s as a customer id or not', (_, value, expected) => {
    expect(customerIdsOf(value)).toEqual(expected);
  });

  it('reads customerId as customer_id', () => {
    expect(identitiesInBody({ topic: 'orders/create', body: { customerId: 'c-9' } }).customerIds).toEqual(['c-9']);
  });

  it('finds a phone given as a number under a phone key', () => {
    expect(identitiesInBody({ topic: 'orders/create', body: { billing: { phone: 4155550134 } } }).phones).toEqual(['4155550134']);
  });

  it('takes no address without a dotted domain for an email', () => {
    expect(identitiesInBody({ topic: 'orders/create', body: { note: 'mail root@localhost' } }).emails).toEqual([]);
  });

  it('reads a body that is null, a string or an array without failing, and finds nothing it does not hold', () => {
    expect(identitiesInBody({ topic: 'orders/create', body: null })).toEqual(none);
    expect(identitiesInBody({ topic: 'orders/create', body: 'plain' })).toEqual(none);
    expect(identitiesInBody({ topic: 'orders/create', body: [{ id: 5 }] })).toEqual(none);
    expect(identitiesInBody({ topic: 'orders/create', body: { id: 5, data: null } })).toEqual({ ...none, orderIds: ['5'] });
  });

  it('takes a BigCommerce refund webhook to be about its order', () => {
    const body = { scope: 'store/order/refund/created', data: { type: 'order', id: 42 } };

    expect(identitiesInBody({ topic: 'store/order/refund/created', body })).toEqual({ ...none, orderIds: ['42'] });
  });

  it('reads the kind of a body only from the start of its topic, scope or type, and only from strings', () => {
    expect(identitiesInBody({ topic: 'app/orders/x', body: { id: 5 } })).toEqual({ ...none, orderIds: ['5'], customerIds: ['5'] });
    expect(identitiesInBody({ topic: 'app/customers/x', body: { id: 5 } })).toEqual({ ...none, orderIds: ['5'], customerIds: ['5'] });
    expect(identitiesInBody({ topic: 'app/refunds/x', body: { id: 5 } })).toEqual({ ...none, orderIds: ['5'], customerIds: ['5'] });
    expect(identitiesInBody({ topic: '', body: { id: 5, scope: ['customers/x'] } })).toEqual({ ...none, orderIds: ['5'], customerIds: ['5'] });
  });

  it('finds only emails and phones in a body that is not JSON', () => {
    const found = identitiesInPayload({ topic: 'orders/create', raw: Buffer.from('id=42 customer_id=7 ada@example.com +14155550134') });

    expect(found).toEqual({ emails: ['ada@example.com'], phones: ['+14155550134'], customerIds: [], orderIds: [] });
  });
});

describe('Domain: phone spellings and tokens', () => {
  it('spells an international number as written and as each national number it may hide, with and without a trunk 0', () => {
    expect(phoneSpellings('+4412345678')).toEqual([
      '+4412345678',
      '412345678',
      '12345678',
      '2345678',
      '0412345678',
      '012345678',
      '02345678',
    ]);
  });

  it('drops national forms shorter than 7 digits', () => {
    expect(phoneSpellings('+441234567')).toEqual(['+441234567', '41234567', '1234567', '041234567', '01234567']);
  });

  it('spells a national number only as written', () => {
    expect(phoneSpellings('02079460958')).toEqual(['02079460958']);
  });

  it('holds an international phone as itself and as the national numbers it may be, and a national one without its trunk 0', () => {
    expect(heldTokens('ch_1', { ...none, phones: ['+4412345678', '02079460958'] })).toEqual([
      'phone:intl:4412345678',
      'phone:intl-as-national:412345678',
      'phone:intl-as-national:12345678',
      'phone:intl-as-national:2345678',
      'phone:national:2079460958',
    ]);
  });

  it('seeks an international phone in bodies that wrote it nationally, and a national one in bodies that wrote it internationally', () => {
    const person = { emails: [], customers: [], orders: [] };

    expect(soughtTokens({ ...person, phones: ['+4412345678'] })).toEqual([
      'phone:intl:4412345678',
      'phone:national:412345678',
      'phone:national:12345678',
      'phone:national:2345678',
    ]);
    expect(soughtTokens({ ...person, phones: ['02079460958'] })).toEqual([
      'phone:national:2079460958',
      'phone:intl-as-national:2079460958',
    ]);
  });
});

describe('Domain: digests kept with a quarantined payload', () => {
  it(`keeps the digests of a body with exactly ${maxStoredDigests} identities`, () => {
    const body = { lines: Array.from({ length: maxStoredDigests }, (_, i) => ({ email: `buyer${i}@example.com` })) };

    expect(payloadDigests({ channelId: 'ch_1', topic: 'orders/create', raw: Buffer.from(JSON.stringify(body)) })).toHaveLength(maxStoredDigests);
  });
});
