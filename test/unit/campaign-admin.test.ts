import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCampaign,
  getCampaign,
  listCampaigns,
  patchCampaign,
  type CampaignPage,
  type CampaignStore,
} from '../../functions/app/campaign-admin';
import {
  campaignInputSchema,
  campaignPatchSchema,
  campaignStatuses,
  type Campaign,
  type CampaignInput,
  type CampaignStatus,
} from '../../functions/domain/campaigns/campaign';
import { canMoveCampaign } from '../../functions/domain/campaigns/status';
import { ConflictError, NotFoundError } from '../../functions/shared/errors';

/** The campaign store as DynamoDB keeps it: a create needs a new id, an update the revision it read. */
class MemoryCampaigns implements CampaignStore {
  readonly stored = new Map<string, Campaign>();
  readonly listed: unknown[] = [];

  async create(campaign: Campaign): Promise<void> {
    if (this.stored.has(campaign.id)) throw new ConflictError('exists');
    this.stored.set(campaign.id, structuredClone(campaign));
  }
  async get(id: string): Promise<Campaign | undefined> {
    return structuredClone(this.stored.get(id));
  }
  async list(query: { status?: CampaignStatus | undefined; cursor?: string | undefined; limit: number }): Promise<CampaignPage> {
    this.listed.push(query);
    const items = [...this.stored.values()].filter((c) => query.status === undefined || c.status === query.status);
    return { items: items.slice(0, query.limit), nextCursor: null };
  }
  async update(id: string, next: Campaign, expectedRev: number): Promise<void> {
    if (this.stored.get(id)?.rev !== expectedRev) throw new ConflictError('changed meanwhile');
    this.stored.set(id, structuredClone(next));
  }
  async active(): Promise<Campaign[]> {
    return [...this.stored.values()].filter((c) => c.status === 'active');
  }
}

const created = new Date('2026-03-01T09:00:00.000Z');
const later = new Date('2026-03-02T10:30:00.000Z');

function ports(at = created) {
  let n = 0;
  return { campaigns: new MemoryCampaigns(), now: () => at, newId: () => `cmp_${String(++n).padStart(4, '0')}` };
}

const winBack: CampaignInput = {
  name: 'Win back',
  audience: { segments: ['at_risk'] },
  trigger: { type: 'segment_entered', segment: 'at_risk' },
  message: { template: 'win_back' },
  coupon: { kind: 'percent', value: 15, expiresInDays: 14 },
};

const custom = {
  subject: 'We miss you',
  html: `<p>Come back</p><a href="{{unsubscribeUrl}}">unsubscribe</a>`,
  text: `Come back. Unsubscribe: {{unsubscribeUrl}}`,
};

const parsed = (input: CampaignInput) => campaignInputSchema.parse(input);

async function stored(status: CampaignStatus) {
  const p = ports();
  const campaign = await createCampaign(p, parsed(winBack));
  p.campaigns.stored.set(campaign.id, { ...campaign, status });
  return { p, id: campaign.id };
}

describe('createCampaign', () => {
  it('stores the campaign with a new id, the defaults, its times and revision 0, and answers it', async () => {
    const p = ports();

    const campaign = await createCampaign(p, parsed(winBack));

    expect(campaign).toEqual({
      ...winBack,
      id: 'cmp_0001',
      holdoutPercent: 10,
      quietHours: null,
      repeatAfterDays: null,
      status: 'draft',
      createdAt: created.toISOString(),
      updatedAt: created.toISOString(),
      rev: 0,
    });
    expect(p.campaigns.stored.get('cmp_0001')).toEqual(campaign);
  });

  it('takes a custom message that links the unsubscribe page in both parts', async () => {
    const p = ports();

    const campaign = await createCampaign(p, parsed({ ...winBack, message: custom, status: 'active' }));

    expect(campaign).toMatchObject({ message: custom, status: 'active' });
  });

  it.each([
    ['html', { ...custom, html: '<p>Come back</p>' }],
    ['text', { ...custom, text: 'Come back' }],
    ['either part', { ...custom, html: '<p>x</p>', text: 'x {{ unsubscribeUrl }}' }],
  ])('refuses, at the schema, a custom message without the unsubscribe link in %s', (_, message) => {
    const result = campaignInputSchema.safeParse({ ...winBack, message });

    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain('message');
  });
});

describe('getCampaign and listCampaigns', () => {
  it('answers a stored campaign, and NotFoundError naming an unknown one', async () => {
    const { p, id } = await stored('draft');

    expect(await getCampaign(p.campaigns, id)).toMatchObject({ id, name: 'Win back' });
    await expect(getCampaign(p.campaigns, 'cmp_ffff')).rejects.toThrow(new NotFoundError('no campaign cmp_ffff'));
  });

  it('passes the status, cursor and limit to the store and answers its page', async () => {
    const { p, id } = await stored('active');
    const query = { status: 'active' as const, cursor: 'c1', limit: 5 };

    const page = await listCampaigns(p.campaigns, query);

    expect(page).toEqual({ items: [expect.objectContaining({ id })], nextCursor: null });
    expect(p.campaigns.listed).toEqual([query]);
  });
});

describe('patchCampaign', () => {
  it('changes the named fields, keeps the others, stamps the time and moves the revision', async () => {
    const { p, id } = await stored('draft');
    const before = p.campaigns.stored.get(id)!;

    const next = await patchCampaign({ ...p, now: () => later }, id, { name: 'Win back, again', coupon: null, holdoutPercent: 20 });

    expect(next).toEqual({ ...before, name: 'Win back, again', coupon: null, holdoutPercent: 20, updatedAt: later.toISOString(), rev: 1 });
    expect(p.campaigns.stored.get(id)).toEqual(next);
  });

  it('applies two patches in turn, each on the revision the last one left', async () => {
    const { p, id } = await stored('draft');

    await patchCampaign(p, id, { status: 'active' }, 0);
    const paused = await patchCampaign(p, id, { status: 'paused' }, 1);

    expect(paused).toMatchObject({ status: 'paused', rev: 2 });
  });

  it('answers 409 when the revision the caller read is no longer the stored one, and writes nothing', async () => {
    const { p, id } = await stored('draft');
    await patchCampaign(p, id, { name: 'First' });

    await expect(patchCampaign(p, id, { name: 'Second' }, 0)).rejects.toThrow(
      new ConflictError(`campaign ${id} is at revision 1, not 0; read it again`),
    );
    expect(p.campaigns.stored.get(id)).toMatchObject({ name: 'First', rev: 1 });
  });

  it('answers 409 when another write lands between the read and the write', async () => {
    const { p, id } = await stored('draft');
    const racing = {
      ...p,
      campaigns: Object.assign(Object.create(p.campaigns) as MemoryCampaigns, {
        get: async (campaignId: string) => {
          const read = await p.campaigns.get(campaignId);
          await p.campaigns.update(campaignId, { ...read!, name: 'Other', rev: read!.rev + 1 }, read!.rev);
          return read;
        },
      }),
    };

    await expect(patchCampaign(racing, id, { name: 'Mine' })).rejects.toThrow(ConflictError);
    expect(p.campaigns.stored.get(id)).toMatchObject({ name: 'Other' });
  });

  it('answers NotFoundError for an unknown campaign', async () => {
    await expect(patchCampaign(ports(), 'cmp_ffff', { name: 'x' })).rejects.toThrow(NotFoundError);
  });

  it('never changes an archived campaign, not even its name', async () => {
    const { p, id } = await stored('archived');

    await expect(patchCampaign(p, id, { name: 'Renamed' })).rejects.toThrow(new ConflictError(`campaign ${id} is archived and cannot change`));
    await expect(patchCampaign(p, id, { status: 'archived' })).rejects.toThrow(ConflictError);
    expect(p.campaigns.stored.get(id)).toMatchObject({ name: 'Win back', rev: 0 });
  });

  it.each([
    ['draft', 'paused'],
    ['active', 'draft'],
    ['paused', 'draft'],
  ] as const)('answers 409 to a move from %s to %s', async (from, to) => {
    const { p, id } = await stored(from);

    await expect(patchCampaign(p, id, { status: to })).rejects.toThrow(new ConflictError(`campaign ${id} cannot go from ${from} to ${to}`));
    expect(p.campaigns.stored.get(id)).toMatchObject({ status: from, rev: 0 });
  });

  it('refuses, at the schema, a new custom message without the unsubscribe link, and takes one with it', async () => {
    const { p, id } = await stored('active');

    expect(campaignPatchSchema.safeParse({ message: { ...custom, text: 'no link' } }).success).toBe(false);
    expect(await patchCampaign(p, id, campaignPatchSchema.parse({ message: custom }))).toMatchObject({ message: custom, rev: 1 });
  });

  it('moves the status exactly where canMoveCampaign allows, for every pair', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...campaignStatuses), fc.constantFrom(...campaignStatuses), async (from, to) => {
        const { p, id } = await stored(from);
        const moved = await patchCampaign(p, id, { status: to }).then(
          (next) => next.status === to,
          (error: unknown) => (error instanceof ConflictError ? false : Promise.reject(error)),
        );
        expect(moved).toBe(canMoveCampaign(from, to));
      }),
    );
  });
});

describe('canMoveCampaign', () => {
  it('lets a draft start or be archived, an active campaign pause or be archived, a paused one resume or be archived', () => {
    const allowed = campaignStatuses.flatMap((from) => campaignStatuses.filter((to) => canMoveCampaign(from, to)).map((to) => `${from}>${to}`));

    expect(allowed).toEqual([
      'draft>draft',
      'draft>active',
      'draft>archived',
      'active>active',
      'active>paused',
      'active>archived',
      'paused>active',
      'paused>paused',
      'paused>archived',
    ]);
  });
});
