import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStoreApiUrl, refusedAddress } from '../../functions/domain/store-url';

const deployed = { allowLoopback: false };
const local = { allowLoopback: true };

const octet = fc.integer({ min: 0, max: 255 });
const ipv4In = (first: number, second?: number) =>
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `${first}.${second ?? b}.${c}.${d}`);

describe('Domain: store API URLs', () => {
  it.each([
    ['file:///etc/passwd', /https/],
    ['http://api.bigcommerce.com/stores/abc', /https/],
    ['gopher://api.bigcommerce.com/', /https/],
    ['not a url', /absolute URL/],
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
    ['https://100.100.100.200/', /100\.100\.100\.200/],
    ['https://[fd00::1]/', /fd00::1/],
    ['https://[fd00:ec2::254]/', /fd00:ec2::254/],
    ['https://[::ffff:127.0.0.1]/', /::ffff:7f00:1/],
    ['https://[::ffff:a9fe:a9fe]/', /::ffff:a9fe:a9fe/],
    ['https://[::1]/', /::1/],
    ['https://[::]/', /::/],
    ['https://[fe80::1]/', /fe80::1/],
    ['https://[64:ff9b::7f00:1]/', /64:ff9b/],
    ['https://[2002:7f00:1::]/', /2002/],
    ['https://0.0.0.0/', /0\.0\.0\.0/],
    ['https://0/', /0\.0\.0\.0/],
    ['https://2130706433/', /127\.0\.0\.1/],
    ['https://0x7f.0.0.1/', /127\.0\.0\.1/],
    ['https://0177.0.0.1/', /127\.0\.0\.1/],
    ['https://127.1/', /127\.0\.0\.1/],
    ['https://10.1.2.3/', /10\.1\.2\.3/],
    ['https://172.16.0.1/', /172\.16\.0\.1/],
    ['https://192.168.1.1/', /192\.168\.1\.1/],
    ['https://localhost/', /loopback name/],
    ['https://api.localhost./', /loopback name/],
    ['https://user:pw@api.bigcommerce.com/stores/abc', /user name or password/],
    ['https://api.bigcommerce.com/stores/abc?token=x', /query/],
  ])('refuses %s in a deployed stack', (raw, reason) => {
    const verdict = checkStoreApiUrl(raw, deployed);

    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it.each(['https://api.bigcommerce.com/stores/abc', 'https://8.8.8.8/', 'https://[2606:4700::1111]/v3'])(
    'accepts %s',
    (raw) => {
      expect(checkStoreApiUrl(raw, deployed)).toMatchObject({ ok: true });
    },
  );

  it('lets the local stack use http and https on loopback only', () => {
    const allowed = ['http://127.0.0.1:8080', 'http://localhost:8080/stores/x', 'http://[::1]:9000', 'https://127.0.0.1:8443'];
    const refused = ['http://10.0.0.1/', 'https://169.254.169.254/', 'http://api.bigcommerce.com/', 'http://[fd00::1]/', 'file:///etc/passwd'];

    expect(allowed.map((raw) => checkStoreApiUrl(raw, local).ok)).toEqual(allowed.map(() => true));
    expect(refused.map((raw) => checkStoreApiUrl(raw, local).ok)).toEqual(refused.map(() => false));
    expect(allowed.map((raw) => checkStoreApiUrl(raw, deployed).ok)).toEqual(allowed.map(() => false));
  });

  it('refuses every loopback, private and link-local IPv4 address, locally too except loopback', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4In(10), ipv4In(169, 254), ipv4In(192, 168), ipv4In(0)), (address) => {
        expect(refusedAddress(address, deployed)).toBeDefined();
        expect(refusedAddress(address, local)).toBeDefined();
      }),
    );
    fc.assert(
      fc.property(ipv4In(127), (address) => {
        expect(refusedAddress(address, deployed)).toBeDefined();
        expect(refusedAddress(address, local)).toBeUndefined();
      }),
    );
  });

  it('judges an IPv4-mapped IPv6 address as its IPv4 address, and refuses all of fc00::/7', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        expect(refusedAddress(`::ffff:${v4}`, deployed) === undefined).toBe(refusedAddress(v4, deployed) === undefined);
      }),
    );
    const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(fc.integer({ min: 0xfc00, max: 0xfdff }), fc.array(hextet, { minLength: 7, maxLength: 7 }), (first, rest) => {
        expect(refusedAddress([first.toString(16), ...rest].join(':'), deployed)).toBeDefined();
      }),
    );
  });

  it('refuses what is not an IP address', () => {
    expect(refusedAddress('api.bigcommerce.com', deployed)).toMatch(/not an IP address/);
    expect(refusedAddress('8.8.8.8', deployed)).toBeUndefined();
  });
});
