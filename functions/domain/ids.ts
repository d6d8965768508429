// The ids huitou hands out: a prefix per kind and lower-case hex. A path or a
// body that names anything else names nothing, so it is answered before a key
// is built from it (an over-long or odd key would be DynamoDB's
// ValidationException, a 500, instead of a 404).

export const idPrefixes = {
  customer: 'cus_',
  channel: 'ch_',
  quarantine: 'q_',
  dataExport: 'exp_',
  apiKey: 'key_',
  job: 'job_',
  campaign: 'cmp_',
  complaint: 'cpl_',
} as const;

export type IdKind = keyof typeof idPrefixes;

/** Generated ids hold 16 to 24 hex digits; 64 leaves room without letting a key grow. */
const HEX = /^[0-9a-f]{1,64}$/;

export function isId(kind: IdKind, value: string): boolean {
  const prefix = idPrefixes[kind];
  return value.startsWith(prefix) && HEX.test(value.slice(prefix.length));
}
