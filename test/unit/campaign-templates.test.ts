// The campaign email: placeholders, sections, escaping, and the built-in templates.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  builtInTemplates,
  renderMessage,
  suggestedCampaigns,
  templateProblems,
  type RenderContext,
} from '../../functions/domain/campaigns/templates';
import { audienceSchema, builtInTemplateNames, triggerSchema } from '../../functions/domain/campaigns/campaign';
import { ValidationError } from '../../functions/shared/errors';

const coupon = { code: 'HT-ABCDE', expiresAt: '2026-12-07T23:30:00Z', kind: 'percent', value: 15, currency: null } as const;
const context: RenderContext = {
  name: 'Ana',
  store: 'Tea House',
  coupon,
  products: ['Green tea', 'Teapot'],
  unsubscribeUrl: 'https://crm.example/u/tok',
};
const custom = (subject: string, body: string) => ({ subject, html: `${body}|{{unsubscribeUrl}}`, text: `${body}|{{unsubscribeUrl}}` });
const textOf = (body: string, ctx: Partial<RenderContext> = {}) => renderMessage(custom('s', body), { ...context, ...ctx }).text;
const htmlOf = (body: string, ctx: Partial<RenderContext> = {}) => renderMessage(custom('s', body), { ...context, ...ctx }).html;

describe('Function: renderMessage', () => {
  it('fills every placeholder', () => {
    const body = '{{name}}/{{store}}/{{coupon.code}}/{{coupon.expiresAt}}/{{coupon.value}}/{{products}}';

    expect(textOf(body)).toBe('Ana/Tea House/HT-ABCDE/7 December 2026/15%/Green tea, Teapot|https://crm.example/u/tok');
  });

  it('allows spaces inside the braces', () => {
    expect(textOf('{{ name }} {{# coupon }}{{ coupon.code }}{{/ coupon }}')).toBe('Ana HT-ABCDE|https://crm.example/u/tok');
  });

  it('says "there" without a name, or with a blank one', () => {
    expect(textOf('Hi {{name}}', { name: null })).toMatch(/^Hi there\|/);
    expect(textOf('Hi {{name}}', { name: '  ' })).toMatch(/^Hi there\|/);
    expect(textOf('Hi {{name}}', { name: ' Bo ' })).toMatch(/^Hi Bo\|/);
  });

  it('names at most three products', () => {
    expect(textOf('{{products}}', { products: ['a', 'b', 'c', 'd'] })).toMatch(/^a, b, c\|/);
  });

  it('writes a fixed coupon with the decimals of its currency', () => {
    const fixed = (value: number, currency: string | null) => textOf('{{coupon.value}}', { coupon: { ...coupon, kind: 'fixed', value, currency } });

    expect(fixed(10, 'EUR')).toMatch(/^10\.00 EUR\|/);
    expect(fixed(7.5, 'USD')).toMatch(/^7\.50 USD\|/);
    expect(fixed(500, 'JPY')).toMatch(/^500 JPY\|/);
    expect(fixed(1.5, 'BHD')).toMatch(/^1\.500 BHD\|/);
    expect(fixed(10, null)).toMatch(/^10\.00\|/);
    expect(() => fixed(10, 'NOPE')).toThrow(ValidationError);
  });

  it('writes the expiry as the UTC date', () => {
    expect(textOf('{{coupon.expiresAt}}', { coupon: { ...coupon, expiresAt: '2026-12-31T23:59:59-05:00' } })).toMatch(/^1 January 2027\|/);
  });

  it('shows a section only when there is a coupon or there are products', () => {
    const body = 'A{{#coupon}}[{{coupon.code}}]{{/coupon}}B{{#products}}({{products}}){{/products}}C';

    expect(textOf(body)).toMatch(/^A\[HT-ABCDE\]B\(Green tea, Teapot\)C\|/);
    expect(textOf(body, { coupon: null })).toMatch(/^AB\(Green tea, Teapot\)C\|/);
    expect(textOf(body, { products: [] })).toMatch(/^A\[HT-ABCDE\]BC\|/);
    expect(textOf(body, { coupon: null, products: [] })).toMatch(/^ABC\|/);
  });

  it('hides a nested section with its outer one', () => {
    const body = '{{#products}}P{{#coupon}}C{{/coupon}}p{{/products}}.';

    expect(textOf(body)).toMatch(/^PCp\.\|/);
    expect(textOf(body, { coupon: null })).toMatch(/^Pp\.\|/);
    expect(textOf(body, { products: [] })).toMatch(/^\.\|/);
  });

  it('leaves coupon placeholders empty without a coupon', () => {
    expect(textOf('[{{coupon.code}}|{{coupon.expiresAt}}|{{coupon.value}}]', { coupon: null })).toMatch(/^\[\|\|\]\|/);
  });

  it('escapes values in html, attribute-safe, and keeps them raw in text', () => {
    const hostile = { name: `<script>"x" & 'y' \`z\` a=b`, store: 'Tea & Co' };

    expect(htmlOf('<b title={{name}}>{{store}}</b>', hostile)).toBe(
      '<b title=&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39; &#96;z&#96; a&#61;b>Tea &amp; Co</b>|https://crm.example/u/tok',
    );
    expect(textOf('{{name}} {{store}}', hostile)).toBe(`<script>"x" & 'y' \`z\` a=b Tea & Co|https://crm.example/u/tok`);
  });

  it('keeps the subject on one line', () => {
    const message = { ...custom('Hi {{name}}\r\n{{store}}', ''), subject: ' Hi {{name}}\r\n{{store}} ' };

    expect(renderMessage(message, { ...context, name: 'Ana\r\nBcc: x@evil.test', store: 'Tea\tHouse' }).subject).toBe(
      'Hi Ana Bcc: x@evil.test Tea House',
    );
  });

  it('refuses a message with problems rather than send a broken mail', () => {
    const broken = { subject: 's', html: '{{nope}}', text: 'no link' };

    expect(() => renderMessage(broken, context)).toThrow(ValidationError);
    expect(() => renderMessage(broken, context)).toThrow(
      expect.objectContaining({
        message: 'the campaign message cannot be rendered',
        issues: ['html: unknown placeholder {{nope}}', 'html: needs {{unsubscribeUrl}} outside any section', 'text: needs {{unsubscribeUrl}} outside any section'],
      }),
    );
  });

  it('never lets a value inject markup into the html (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.array(fc.string(), { maxLength: 4 }), (name, store, products) => {
        const html = htmlOf('<a href="{{unsubscribeUrl}}" title="{{name}}">{{store}} {{products}}</a>', { name, store, products });
        const values = html.slice('<a href="'.length, html.length - '</a>|https://crm.example/u/tok'.length);
        expect(values.replace('" title="', '').replace('">', '')).not.toMatch(/[<>"'`=]/);
      }),
    );
  });
});

describe('Function: templateProblems', () => {
  it('finds nothing in a good custom message', () => {
    expect(templateProblems(custom('Hello {{name}}', '{{#coupon}}{{coupon.code}}{{/coupon}}'))).toEqual([]);
  });

  it('names unknown placeholders and sections', () => {
    expect(templateProblems(custom('Hi {{firstName}}', '{{#vip}}x{{/vip}} {{coupon}}'))).toEqual([
      'subject: unknown placeholder {{firstName}}',
      'html: unknown section {{#vip}}',
      'html: unknown section {{/vip}}',
      'html: unknown placeholder {{coupon}}',
      'text: unknown section {{#vip}}',
      'text: unknown section {{/vip}}',
      'text: unknown placeholder {{coupon}}',
    ]);
  });

  it('names unbalanced sections', () => {
    const message = { subject: '{{#coupon}}', html: '{{/coupon}}{{unsubscribeUrl}}', text: '{{#coupon}}{{#products}}{{/coupon}}{{/products}}{{unsubscribeUrl}}' };

    expect(templateProblems(message)).toEqual([
      'subject: {{#coupon}} is never closed',
      'html: {{/coupon}} does not close an open {{#coupon}}',
      'text: {{/coupon}} does not close an open {{#coupon}}',
      'text: {{#coupon}} is never closed',
      'text: needs {{unsubscribeUrl}} outside any section',
    ]);
    expect(templateProblems({ subject: 's', html: '{{#products}}{{unsubscribeUrl}}', text: '{{unsubscribeUrl}}{{#coupon}}' })).toEqual([
      'html: {{#products}} is never closed',
      'html: needs {{unsubscribeUrl}} outside any section',
      'text: {{#coupon}} is never closed',
    ]);
  });

  it('needs the unsubscribe link in html and text, outside any section', () => {
    expect(templateProblems({ subject: 's', html: '<p>hi</p>', text: 'hi {{unsubscribeUrl}}' })).toEqual([
      'html: needs {{unsubscribeUrl}} outside any section',
    ]);
    expect(templateProblems({ subject: 's', html: '{{#coupon}}{{unsubscribeUrl}}{{/coupon}}', text: '{{#products}}{{/products}}{{unsubscribeUrl}}' })).toEqual([
      'html: needs {{unsubscribeUrl}} outside any section',
    ]);
  });
});

describe('Constant: builtInTemplates', () => {
  it.each(builtInTemplateNames)('%s renders for every customer, with the unsubscribe link and a coupon section', (template) => {
    const copy = builtInTemplates[template];

    expect(templateProblems({ template })).toEqual([]);
    expect(copy.html).toContain('{{#coupon}}');
    expect(copy.text).toContain('{{#coupon}}');
    const withCoupon = renderMessage({ template }, context);
    expect(withCoupon.text).toContain('HT-ABCDE');
    expect(withCoupon.text).toContain('15%');
    expect(withCoupon.text).toContain('7 December 2026');
    expect(withCoupon.html).toContain('<strong>HT-ABCDE</strong>');
    expect(withCoupon.html).toContain('<a href="https://crm.example/u/tok">Unsubscribe</a>');
    expect(withCoupon.text).toContain('Unsubscribe: https://crm.example/u/tok');
    const bare = renderMessage({ template }, { ...context, name: null, coupon: null, products: [] });
    expect(bare.text).toMatch(/^Hi there,\n\n/);
    expect(bare.text).not.toMatch(/\{\{|\n\n\n|code {2}/);
    expect(bare.html).not.toMatch(/\{\{|<p><\/p>/);
    expect(bare.subject).not.toContain('{{');
  });

  it.each(builtInTemplateNames)('%s reads greeting, body, sign-off and footer without a coupon or products', (template) => {
    const paragraphs = renderMessage({ template }, { ...context, name: null, coupon: null, products: [] }).text.split('\n\n');

    expect(paragraphs).toHaveLength(4);
    expect(paragraphs[0]).toBe('Hi there,');
    expect(paragraphs[1]).toMatch(/^[A-Z][^{}]{40,}\.$/);
    expect(paragraphs[2]).toMatch(/^[A-Z][a-z -]+,\nTea House$/);
    expect(paragraphs[3]).toBe('--\nYou get this email because you shopped at Tea House. Unsubscribe: https://crm.example/u/tok\n');
  });

  it('lays the html out as one page', () => {
    const { html } = renderMessage({ template: 'apology' }, { ...context, name: null, coupon: null, products: [] });

    expect(html).toBe(
      '<!doctype html>\n<html><body style="font-family:sans-serif;line-height:1.5;color:#222">\n' +
        '<p>Hi there,</p>\n' +
        '<p>Something went wrong with your recent experience at Tea House, and we are sorry. Thank you for your patience while we put it right.</p>\n' +
        '<p>With apologies,<br>Tea House</p>\n' +
        '<p style="font-size:12px;color:#777">You get this email because you shopped at Tea House. <a href="https://crm.example/u/tok">Unsubscribe</a></p>\n' +
        '</body></html>\n',
    );
  });

  it('signs off with the store and names the products where the copy does', () => {
    const mail = renderMessage({ template: 'win_back' }, context);

    expect(mail.subject).toBe('We miss you at Tea House');
    expect(mail.text).toContain('You liked Green tea, Teapot;');
    expect(mail.text).toContain('Hope to see you soon,\nTea House\n');
    expect(mail.html).toContain('<p>Hope to see you soon,<br>Tea House</p>');
    expect(renderMessage({ template: 'apology' }, context).text).not.toContain('Green tea');
  });
});

describe('Constant: suggestedCampaigns', () => {
  it.each(builtInTemplateNames)('%s suggests a valid audience and trigger', (template) => {
    const { audience, trigger } = suggestedCampaigns[template];

    expect(audienceSchema.parse(audience)).toEqual(audience);
    expect(triggerSchema.parse(trigger)).toEqual(trigger);
  });

  it('aims the flows at their customers', () => {
    expect(suggestedCampaigns).toEqual({
      win_back: { audience: { segments: ['at_risk', 'cannot_lose'] }, trigger: { type: 'segment_entered', segment: 'at_risk' } },
      second_order: { audience: { stages: ['first_time'] }, trigger: { type: 'days_after_first_order', days: 30 } },
      repurchase_reminder: { audience: { minOrders: 2 }, trigger: { type: 'before_expected_order', days: 7 } },
      vip_reward: { audience: { segments: ['champions'], maxDaysSinceLastOrder: 90 }, trigger: { type: 'segment_entered', segment: 'champions' } },
      new_arrival: { audience: { minOrders: 1 }, trigger: { type: 'manual' } },
      apology: { audience: {}, trigger: { type: 'manual' } },
    });
  });
});
