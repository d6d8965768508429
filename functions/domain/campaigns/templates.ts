// The campaign email: built-in templates for the classic flows, custom ones,
// and the small mustache-like language both are written in. Placeholders are
// {{name}}, {{store}}, {{coupon.code}}, {{coupon.expiresAt}}, {{coupon.value}},
// {{products}} and {{unsubscribeUrl}}; {{#coupon}}…{{/coupon}} and
// {{#products}}…{{/products}} show only when there is a coupon or products.
import { ValidationError } from '../../shared/errors';
import { currencyExponent } from '../normalize/money';
import type { Audience, BuiltInTemplateName, CampaignMessage, Trigger } from './campaign';

export interface RenderContext {
  /** The customer's first name, or null: the mail says "there". */
  name: string | null;
  store: string;
  coupon: { code: string; expiresAt: string; kind: 'percent' | 'fixed'; value: number; currency: string | null } | null;
  /** Products from the customer's own history, most relevant first. */
  products: readonly string[];
  unsubscribeUrl: string;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

const placeholders = ['name', 'store', 'coupon.code', 'coupon.expiresAt', 'coupon.value', 'products', 'unsubscribeUrl'] as const;
type Placeholder = (typeof placeholders)[number];
const sections = ['coupon', 'products'] as const;
type Section = (typeof sections)[number];

/** How many products {{products}} names. */
const productsShown = 3;

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string }
  | { kind: 'open' | 'close'; name: string };

const tagPattern = /\{\{\s*([#/]?)\s*([^{}]*?)\s*\}\}/g;

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of template.matchAll(tagPattern)) {
    tokens.push({ kind: 'text', text: template.slice(last, match.index) });
    const name = match[2]!;
    tokens.push(match[1] === '#' ? { kind: 'open', name } : match[1] === '/' ? { kind: 'close', name } : { kind: 'value', name });
    last = match.index + match[0].length;
  }
  tokens.push({ kind: 'text', text: template.slice(last) });
  return tokens;
}

/**
 * One template text checked: unknown names, unbalanced sections, and whether
 * {{unsubscribeUrl}} stands outside every section, so it shows in every mail.
 */
function scan(part: string, template: string): { problems: string[]; unsubscribable: boolean } {
  const problems: string[] = [];
  const open: string[] = [];
  let unsubscribable = false;
  for (const token of tokenize(template)) {
    if (token.kind === 'text') continue;
    if (token.kind === 'value') {
      if (!(placeholders as readonly string[]).includes(token.name)) problems.push(`${part}: unknown placeholder {{${token.name}}}`);
      unsubscribable ||= token.name === 'unsubscribeUrl' && open.length === 0;
      continue;
    }
    if (!(sections as readonly string[]).includes(token.name)) {
      problems.push(`${part}: unknown section {{${token.kind === 'open' ? '#' : '/'}${token.name}}}`);
    } else if (token.kind === 'open') {
      open.push(token.name);
    } else if (open.at(-1) === token.name) {
      open.pop();
    } else {
      problems.push(`${part}: {{/${token.name}}} does not close an open {{#${token.name}}}`);
    }
  }
  for (const name of open) problems.push(`${part}: {{#${name}}} is never closed`);
  return { problems, unsubscribable };
}

/** What is wrong with the message's templates; empty when it renders for every customer. */
export function templateProblems(message: CampaignMessage): string[] {
  const template = templateOf(message);
  return (['subject', 'html', 'text'] as const).flatMap((part) => {
    const { problems, unsubscribable } = scan(part, template[part]);
    return part === 'subject' || unsubscribable ? problems : [...problems, `${part}: needs {{unsubscribeUrl}} outside any section`];
  });
}

function templateOf(message: CampaignMessage): RenderedMessage {
  return 'template' in message ? builtInTemplates[message.template] : message;
}

/**
 * The mail for one customer. Values are HTML-escaped in the html and kept
 * as they are in the text; the subject is one line. Throws ValidationError
 * for a message with templateProblems.
 */
export function renderMessage(message: CampaignMessage, context: RenderContext): RenderedMessage {
  const problems = templateProblems(message);
  if (problems.length > 0) throw new ValidationError('the campaign message cannot be rendered', problems);
  const template = templateOf(message);
  const raw = (value: string) => value;
  return {
    subject: fill(template.subject, context, raw).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(),
    html: fill(template.html, context, escapeHtml),
    text: fill(template.text, context, raw),
  };
}

function fill(template: string, context: RenderContext, encode: (value: string) => string): string {
  const shown = { coupon: context.coupon !== null, products: context.products.length > 0 } satisfies Record<Section, boolean>;
  const hidden: boolean[] = [];
  let out = '';
  for (const token of tokenize(template)) {
    if (token.kind === 'open') hidden.push(!shown[token.name as Section]);
    else if (token.kind === 'close') hidden.pop();
    else if (!hidden.includes(true)) out += token.kind === 'text' ? token.text : encode(valueOf(token.name as Placeholder, context));
  }
  return out;
}

function valueOf(name: Placeholder, context: RenderContext): string {
  const { coupon } = context;
  switch (name) {
    case 'name':
      return context.name?.trim() || 'there';
    case 'store':
      return context.store;
    case 'coupon.code':
      return coupon?.code ?? '';
    case 'coupon.expiresAt':
      return coupon ? longDate(coupon.expiresAt) : '';
    case 'coupon.value':
      return coupon ? couponValue(coupon) : '';
    case 'products':
      return context.products.slice(0, productsShown).join(', ');
    case 'unsubscribeUrl':
      return context.unsubscribeUrl;
  }
}

const longDateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "7 December 2026", the UTC date. */
function longDate(iso: string): string {
  return longDateFormat.format(new Date(iso));
}

/** "15%", or "10.00 EUR" with the currency's own decimals. */
function couponValue(coupon: NonNullable<RenderContext['coupon']>): string {
  if (coupon.kind === 'percent') return `${coupon.value}%`;
  if (coupon.currency === null) return coupon.value.toFixed(2);
  return `${coupon.value.toFixed(currencyExponent(coupon.currency))} ${coupon.currency}`;
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

/** Safe in element content and in quoted or unquoted attribute values. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (character) => htmlEscapes[character]!);
}

interface Copy {
  subject: string;
  /** Paragraphs after the greeting. */
  body: readonly string[];
  /** The paragraph inside {{#coupon}}. */
  coupon: string;
  /** The paragraph inside {{#products}}, if the template names products. */
  products?: string;
  signOff: string;
}

const footer = 'You get this email because you shopped at {{store}}.';

/** One template in html and text from the same copy: greeting, body, sections, sign-off and the unsubscribe link. */
function builtIn(copy: Copy): RenderedMessage {
  const compose = (paragraph: (text: string) => string, lineBreak: string) =>
    [
      paragraph('Hi {{name}},'),
      ...copy.body.map(paragraph),
      `{{#coupon}}${paragraph(copy.coupon)}{{/coupon}}`,
      copy.products === undefined ? '' : `{{#products}}${paragraph(copy.products)}{{/products}}`,
      paragraph(`${copy.signOff}${lineBreak}{{store}}`),
    ].join('');
  const htmlParagraph = (text: string) => `<p>${text.replaceAll('{{coupon.code}}', '<strong>{{coupon.code}}</strong>')}</p>\n`;
  return {
    subject: copy.subject,
    html:
      '<!doctype html>\n<html><body style="font-family:sans-serif;line-height:1.5;color:#222">\n' +
      compose(htmlParagraph, '<br>') +
      `<p style="font-size:12px;color:#777">${footer} <a href="{{unsubscribeUrl}}">Unsubscribe</a></p>\n` +
      '</body></html>\n',
    text: compose((text) => `${text}\n\n`, '\n') + `--\n${footer} Unsubscribe: {{unsubscribeUrl}}\n`,
  };
}

// Stryker disable StringLiteral: the copy, which the tests read for placeholders, sections and the link, not word by word
const offer = '{{coupon.value}} off your next order with the code {{coupon.code}}, valid until {{coupon.expiresAt}}.';

export const builtInTemplates: Record<BuiltInTemplateName, RenderedMessage> = {
  win_back: builtIn({
    subject: 'We miss you at {{store}}',
    body: ['It has been a while since your last order, and a lot has happened at {{store}} since then. We would love to see you again.'],
    coupon: `Here is ${offer}`,
    products: 'You liked {{products}}; have a look at what goes with them.',
    signOff: 'Hope to see you soon,',
  }),
  second_order: builtIn({
    subject: 'Thanks for your first order at {{store}}',
    body: ['Thank you for shopping with us. We hope you are enjoying your order, and that it was the first of many.'],
    coupon: `For your second order, here is ${offer}`,
    products: 'Customers who bought {{products}} often come back for more.',
    signOff: 'Thanks again,',
  }),
  repurchase_reminder: builtIn({
    subject: 'Time to stock up?',
    body: ['Going by your past orders, you may be running low soon. Reorder now and you will not run out.'],
    coupon: `Here is ${offer}`,
    products: 'Last time you ordered {{products}}.',
    signOff: 'Best wishes,',
  }),
  vip_reward: builtIn({
    subject: 'A thank-you for one of our best customers',
    body: ['You are one of the customers who make {{store}} what it is, and we wanted to say thank you.'],
    coupon: `As a thank-you, here is ${offer}`,
    products: 'We had your favourites in mind: {{products}}.',
    signOff: 'With thanks,',
  }),
  new_arrival: builtIn({
    subject: 'New at {{store}}, picked for you',
    body: ['Something new has just arrived that we think you will like, given what you bought before.'],
    coupon: `Here is ${offer}`,
    products: 'It goes well with {{products}}.',
    signOff: 'Happy shopping,',
  }),
  apology: builtIn({
    subject: 'We are sorry',
    body: ['Something went wrong with your recent experience at {{store}}, and we are sorry. Thank you for your patience while we put it right.'],
    coupon: `To make up for it, here is ${offer}`,
    signOff: 'With apologies,',
  }),
};

// Stryker restore StringLiteral

/** The audience and trigger each built-in template is written for; the admin offers them as a start. */
export const suggestedCampaigns: Record<BuiltInTemplateName, { audience: Audience; trigger: Trigger }> = {
  win_back: { audience: { segments: ['at_risk', 'cannot_lose'] }, trigger: { type: 'segment_entered', segment: 'at_risk' } },
  second_order: { audience: { stages: ['first_time'] }, trigger: { type: 'days_after_first_order', days: 30 } },
  repurchase_reminder: { audience: { minOrders: 2 }, trigger: { type: 'before_expected_order', days: 7 } },
  vip_reward: {
    audience: { segments: ['champions'], maxDaysSinceLastOrder: 90 },
    trigger: { type: 'segment_entered', segment: 'champions' },
  },
  // Staff add the SKUs of the product whose new arrival this announces.
  new_arrival: { audience: { minOrders: 1 }, trigger: { type: 'manual' } },
  apology: { audience: {}, trigger: { type: 'manual' } },
};
