/** Human output: money, dates, aligned tables and key: value blocks. */

const fractionDigitsCache = new Map<string, number>();

/** The currency's minor-unit digits as Intl knows them (USD 2, JPY 0, KWD 3); 2 for a code Intl rejects. */
export function fractionDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * 59894 USD → "598.94 USD", 1200 JPY → "1,200 JPY". Integer arithmetic on the minor units, so
 * large amounts never pick up floating-point noise.
 */
export function formatMoney(minor: number | null | undefined, currency: string | null | undefined): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return '-';
  if (!currency) return minor === 0 ? '0' : `${minor} (minor units)`;
  const digits = fractionDigits(currency);
  const negative = minor < 0;
  const units = BigInt(Math.abs(Math.trunc(minor))).toString().padStart(digits + 1, '0');
  const whole = units.slice(0, units.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = digits > 0 ? `.${units.slice(units.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${currency}`;
}

/** ISO timestamps as `2024-03-01 12:00 UTC` (or just the day); anything unparsable as given. */
export function formatDate(value: string | null | undefined, { dateOnly = false } = {}): string {
  if (!value) return '-';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const iso = date.toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * One printable cell. Data that came in by webhook is untrusted: control characters (terminal
 * escape sequences, newlines) are replaced so they cannot rewrite the terminal or break the table.
 */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '�');
}

/** Terminal columns a string takes: East Asian wide characters and most emoji take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  align?: 'left' | 'right';
}

/** An aligned table with a header row; columns are separated by two spaces. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...cells.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => pad(value, widths[i] ?? 0, columns[i]?.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** `label:  value` lines with the values aligned. */
export function keyValues(pairs: readonly (readonly [string, unknown])[], indent = ''): string {
  const width = Math.max(0, ...pairs.map(([label]) => displayWidth(label) + 1));
  return pairs.map(([label, value]) => `${indent}${pad(`${label}:`, width, 'left')}  ${cell(value)}`).join('\n') + '\n';
}

/** The first of a quarantine entry's issues, shortened, and how many more there are. */
export function summarizeIssues(issues: unknown): string {
  if (!Array.isArray(issues)) return cell(issues);
  if (issues.length === 0) return '-';
  const first = issues[0] as { path?: unknown; message?: unknown } | string;
  let text: string;
  if (typeof first === 'string') text = first;
  else {
    const path = Array.isArray(first?.path) ? first.path.join('.') : typeof first?.path === 'string' ? first.path : '';
    text = `${path ? `${path}: ` : ''}${typeof first?.message === 'string' ? first.message : JSON.stringify(first)}`;
  }
  if (text.length > 60) text = `${text.slice(0, 59)}…`;
  return issues.length > 1 ? `${text} (+${issues.length - 1} more)` : text;
}
