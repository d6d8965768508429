// `huitou campaigns`, `complaints` and `unsubscribe` against a fake admin API:
// what each command asks the API, and what it prints for people and --json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import { describeCoupon, describeTrigger, renderStats } from '../../bin/cli/campaign-format';

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

const requests: Recorded[] = [];
let answers: Map<string, (req: Recorded) => { status: number; body: unknown }>;
let server: Server;
let apiUrl: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'huitou-cli-campaigns-'));
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body: text ? JSON.parse(text) : undefined };
    requests.push(recorded);
    const answer = answers.get(`${recorded.method} ${recorded.path}`)?.(recorded) ?? { status: 404, body: { error: { code: 'not_found', message: 'no such route' } } };
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests.length = 0;
  answers = new Map();
});

function answer(route: string, status: number, body: unknown | ((req: Recorded) => unknown)): void {
  answers.set(route, (req) => ({ status, body: typeof body === 'function' ? (body as (r: Recorded) => unknown)(req) : body }));
}

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run([...argv, '--api-url', apiUrl, '--api-key', 'k'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { XDG_RUNTIME_DIR: dir },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

const campaign = {
  id: 'cmp_0a',
  name: 'Win back',
  status: 'active',
  trigger: { type: 'segment_entered', segment: 'at_risk' },
  audience: { segments: ['at_risk', 'cannot_lose'], minOrders: 2 },
  message: { template: 'win_back' },
  coupon: { kind: 'percent', value: 15, expiresInDays: 14 },
  holdoutPercent: 10,
  quietHours: { start: '21:00', end: '08:00', timeZone: 'Europe/Paris' },
  repeatAfterDays: null,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-02T10:30:00.000Z',
  rev: 2,
};

describe('CLI: campaigns', () => {
  it('lists campaigns as a table, asks for the status given, and prints the next-page command', async () => {
    answer('GET /admin/campaigns', 200, {
      items: [campaign, { ...campaign, id: 'cmp_0b', name: 'Sale\u001b[2J', status: 'draft', message: { subject: 'Hi' }, trigger: { type: 'schedule', cron: '0 9 * * 1', timeZone: 'Europe/Paris' } }],
      nextCursor: 'abc',
    });

    const result = await cli('campaigns', 'list', '--status', 'active');

    expect(result.code).toBe(0);
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/admin/campaigns', query: { status: 'active' } });
    expect(result.stdout.split('\n')).toEqual([
      'ID      NAME      STATUS  TRIGGER                            MESSAGE            HOLDOUT  CREATED',
      'cmp_0a  Win back  active  segment_entered at_risk            template win_back      10%  2026-03-01',
      'cmp_0b  Sale�[2J  draft   schedule 0 9 * * 1 (Europe/Paris)  custom: "Hi"           10%  2026-03-01',
      '',
      'more: huitou campaigns list --cursor abc',
      '',
    ]);
  });

  it('says how to start when there is no campaign, and prints the raw page with --json', async () => {
    answer('GET /admin/campaigns', 200, { items: [], nextCursor: null });

    const human = await cli('campaigns', 'list');
    const json = await cli('campaigns', 'list', '--json');

    expect(human.stdout).toBe('No campaigns yet. Create one with `huitou campaigns create --file campaign.json`.\n');
    expect(JSON.parse(json.stdout)).toEqual({ items: [], nextCursor: null });
  });

  it('shows one campaign: trigger, audience, message, coupon, guardrails and revision', async () => {
    answer('GET /admin/campaigns/cmp_0a', 200, campaign);

    const result = await cli('campaigns', 'show', 'cmp_0a');

    expect(result.stdout).toBe(
      [
        'Win back (cmp_0a)',
        '  status:       active',
        '  trigger:      segment_entered at_risk',
        '  audience:     segments=at_risk,cannot_lose minOrders=2',
        '  message:      template win_back',
        '  coupon:       15% off, valid 14 days',
        '  holdout:      10%',
        '  quiet hours:  21:00-08:00 Europe/Paris',
        '  repeat:       never: once per customer',
        '  created:      2026-03-01 09:00 UTC',
        '  updated:      2026-03-02 10:30 UTC',
        '  revision:     2',
        '',
      ].join('\n'),
    );
  });

  it('creates a campaign from a JSON file as it is, and updates one with the fields of another', async () => {
    const file = join(dir, 'campaign.json');
    const { id: _id, ...input } = campaign;
    writeFileSync(file, JSON.stringify(input));
    answer('POST /admin/campaigns', 201, { ...campaign, status: 'draft' });
    answer('PATCH /admin/campaigns/cmp_0a', 200, { ...campaign, rev: 3 });

    const created = await cli('campaigns', 'create', '--file', file);
    writeFileSync(file, JSON.stringify({ holdoutPercent: 20 }));
    const updated = await cli('campaigns', 'update', 'cmp_0a', '--file', file);

    expect(requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/admin/campaigns', input],
      ['PATCH', '/admin/campaigns/cmp_0a', { holdoutPercent: 20 }],
    ]);
    expect(created.stdout).toBe('Campaign created: cmp_0a (draft)\n');
    expect(updated.stdout).toBe('Campaign cmp_0a updated (revision 3).\n');
  });

  it('answers a usage error, asking nothing, for a file it cannot read or that is not JSON', async () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ name: ');

    const missing = await cli('campaigns', 'create', '--file', join(dir, 'missing.json'));
    const broken = await cli('campaigns', 'update', 'cmp_0a', '--file', notJson);
    const noFile = await cli('campaigns', 'create');

    expect([missing.code, broken.code, noFile.code]).toEqual([2, 2, 2]);
    expect(missing.stderr).toMatch(/cannot read --file .*missing\.json/);
    expect(broken.stderr).toContain('is not JSON');
    expect(noFile.stderr).toContain('missing required option --file');
    expect(requests).toHaveLength(0);
  });

  it.each([
    ['activate', 'active'],
    ['pause', 'paused'],
    ['archive', 'archived'],
  ])('%s sends the status move %s and says where the campaign is', async (action, status) => {
    answer('PATCH /admin/campaigns/cmp_0a', 200, (req: Recorded) => ({ ...campaign, ...(req.body as object) }));

    const result = await cli('campaigns', action, 'cmp_0a');

    expect(requests[0]).toMatchObject({ method: 'PATCH', path: '/admin/campaigns/cmp_0a', body: { status } });
    expect(result.stdout).toBe(`Campaign cmp_0a is ${status}.\n`);
  });

  it('exits 1 with the API message when a move is refused', async () => {
    answer('PATCH /admin/campaigns/cmp_0a', 409, { error: { code: 'conflict', message: 'campaign cmp_0a is archived and cannot change' } });

    const result = await cli('campaigns', 'activate', 'cmp_0a');

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: campaign cmp_0a is archived and cannot change (409 conflict)\n');
  });

  it("previews the email for a customer: recipient, subject, then the text part", async () => {
    answer('POST /admin/campaigns/cmp_0a/preview', 200, { to: 'ada@example.com', subject: 'We miss you, Ada', html: '<p>…</p>', text: 'Hello Ada,\nyour code is WB-1234.' });

    const result = await cli('campaigns', 'preview', 'cmp_0a', '--customer', 'cus_01');

    expect(requests[0]).toMatchObject({ method: 'POST', path: '/admin/campaigns/cmp_0a/preview', body: { customerId: 'cus_01' } });
    expect(result.stdout).toBe('to:       ada@example.com\nsubject:  We miss you, Ada\n\nHello Ada,\nyour code is WB-1234.\n');
  });

  it('prints a dry run with the drops by reason, largest first', async () => {
    answer('POST /admin/campaigns/cmp_0a/dry-run', 200, { audience: 120, wouldSend: 90, dropped: { no_consent: 5, frequency_cap: 20, suppressed: 5, open_complaint: 0 } });

    const result = await cli('campaigns', 'dry-run', 'cmp_0a');

    expect(result.stdout).toBe('audience:    120\nwould send:  90\ndropped:     frequency_cap 20, no_consent 5, suppressed 5\n');
  });

  it('starts a run and names its job; --wait follows the job to its end', async () => {
    answer('POST /admin/campaigns/cmp_0a/run', 202, { jobId: 'job_0a' });
    answer('GET /admin/jobs/job_0a', 200, { id: 'job_0a', status: 'succeeded', progress: { shardsDone: 16, shardsTotal: 16, customers: 120, queued: 90 } });

    const started = await cli('campaigns', 'run', 'cmp_0a');
    const waited = await cli('campaigns', 'run', 'cmp_0a', '--wait');

    expect(started.stdout).toBe('Campaign run started: job job_0a. Follow it with GET /admin/jobs/job_0a, then: huitou campaigns stats cmp_0a\n');
    expect(waited.code).toBe(0);
    expect(waited.stderr).toContain('campaign run [########################] 16/16  shards, succeeded: 120 customers seen, 90 sends queued');
    expect(waited.stdout).toBe('Campaign run job_0a done. See: huitou campaigns stats cmp_0a\n');
  });

  it('exits 1 with the reason when the run fails', async () => {
    answer('POST /admin/campaigns/cmp_0a/run', 202, { jobId: 'job_0b' });
    answer('GET /admin/jobs/job_0b', 200, { id: 'job_0b', status: 'failed', error: 'coupon provider refused' });

    const result = await cli('campaigns', 'run', 'cmp_0a', '--wait');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: campaign run job_0b failed: coupon provider refused');
  });

  it('prints the stats: counts, drops by reason, revenue in the currency, conversion and uplift with its interval', async () => {
    answer('GET /admin/campaigns/cmp_0a/stats', 200, {
      sent: 80,
      holdout: 10,
      suppressed: { no_consent: 5 },
      delivered: 78,
      bounced: 2,
      unsubscribed: 1,
      redeemed: 12,
      revenueMinor: 123456,
      currency: 'EUR',
      conversion: { treated: 0.15, holdout: 0.1, uplift: 0.05, ci: [-0.02, 0.12] },
    });

    const result = await cli('campaigns', 'stats', 'cmp_0a');

    expect(result.stdout).toBe(
      [
        'sent:                 80',
        'holdout:              10',
        'suppressed:           no_consent 5',
        'delivered:            78',
        'bounced:              2',
        'unsubscribed:         1',
        'redeemed:             12',
        'revenue:              1,234.56 EUR',
        'conversion, sent:     15.0%',
        'conversion, holdout:  10.0%',
        'uplift:               5.0% (95% CI -2.0% to 12.0%)',
        '',
      ].join('\n'),
    );
  });
});

describe('Campaign formatting', () => {
  it('shows stats before any send with dashes, not zeros it does not know', () => {
    expect(renderStats({ sent: 0, conversion: { treated: null, holdout: null, uplift: null, ci: null } })).toContain('uplift:               -\n');
    expect(renderStats({})).toContain('suppressed:           none\n');
  });

  it('describes each trigger and coupon in one cell', () => {
    expect(describeTrigger({ type: 'manual' })).toBe('manual');
    expect(describeTrigger({ type: 'before_expected_order', days: 7 })).toBe('before_expected_order 7');
    expect(describeTrigger(undefined)).toBe('-');
    expect(describeCoupon(null)).toBe('none');
    expect(describeCoupon({ kind: 'fixed', value: 10, expiresInDays: 30, minSubtotalMinor: 5000 })).toBe('10 off, valid 30 days, from 5000 minor units');
  });
});

describe('CLI: complaints and unsubscribe', () => {
  it('logs a complaint with its note and says how to resolve it', async () => {
    answer('POST /admin/customers/cus_01/complaints', 201, { id: 'cpl_0a', customerId: 'cus_01', status: 'open', note: 'Broken', createdAt: '2026-04-01T08:00:00.000Z' });

    const result = await cli('complaints', 'add', 'cus_01', '--note', 'Broken');

    expect(requests[0]).toMatchObject({ method: 'POST', path: '/admin/customers/cus_01/complaints', body: { note: 'Broken' } });
    expect(result.stdout).toBe('Complaint cpl_0a logged (open). Resolve it with: huitou complaints resolve cus_01 cpl_0a\n');
  });

  it("lists a customer's complaints as a table, and says when there is none", async () => {
    answer('GET /admin/customers/cus_01/complaints', 200, {
      items: [
        { id: 'cpl_0a', status: 'resolved', note: 'Broken', createdAt: '2026-04-01T08:00:00.000Z', resolvedAt: '2026-04-03T16:00:00.000Z' },
        { id: 'cpl_0b', status: 'open', note: 'Late', createdAt: '2026-04-05T08:00:00.000Z' },
      ],
      nextCursor: null,
    });
    answer('GET /admin/customers/cus_02/complaints', 200, { items: [], nextCursor: null });

    const listed = await cli('complaints', 'list', 'cus_01');
    const none = await cli('complaints', 'list', 'cus_02');

    expect(listed.stdout).toBe(
      [
        'ID      STATUS    LOGGED                RESOLVED              NOTE',
        'cpl_0a  resolved  2026-04-01 08:00 UTC  2026-04-03 16:00 UTC  Broken',
        'cpl_0b  open      2026-04-05 08:00 UTC  -                     Late',
        '',
      ].join('\n'),
    );
    expect(none.stdout).toBe('No complaints.\n');
  });

  it('resolves a complaint with a PATCH of its status', async () => {
    answer('PATCH /admin/customers/cus_01/complaints/cpl_0a', 200, { id: 'cpl_0a', status: 'resolved', resolvedAt: '2026-04-03T16:00:00.000Z' });

    const result = await cli('complaints', 'resolve', 'cus_01', 'cpl_0a');

    expect(requests[0]).toMatchObject({ method: 'PATCH', body: { status: 'resolved' } });
    expect(result.stdout).toBe('Complaint cpl_0a resolved 2026-04-03 16:00 UTC.\n');
  });

  it('records an unsubscribe and prints the consent the API answers', async () => {
    answer('POST /admin/customers/cus_01/unsubscribe', 200, { id: 'cus_01', consent: { email: 'unsubscribed', emailUpdatedAt: '2026-04-01T08:00:00.000Z' } });

    const human = await cli('unsubscribe', 'cus_01');
    const json = await cli('unsubscribe', 'cus_01', '--json');

    expect(human.stdout).toBe('Customer cus_01 is unsubscribed: no marketing mail reaches them.\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ consent: { email: 'unsubscribed' } });
  });
});
