// `huitou import --channel <id> --format <format> FILE`: streams an order
// export through the admin API in batches of about 200 orders, never splitting
// an order (the rows of one order share a key: Shopify's Name, an order id).
// The API records each order as a webhook's order would be, so the same file
// twice changes nothing. Bad rows are reported by line and the import goes on.
import { createReadStream } from 'node:fs';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import {
  importFormats,
  importLimits,
  orderKeyOf,
  type ImportFormat,
  type ImportRow,
  type RowRejection,
} from '../../functions/domain/import/index';
import { apiPath } from './client';
import type { Command, CommandContext } from './commands';
import { CliError, UsageError } from './errors';

interface Summary {
  imported: number;
  duplicates: number;
  rejected: RowRejection[];
}

/** What the API answers for a batch: orders it did not start in time come back by first line, to be sent again. */
interface BatchAnswer extends Summary {
  unfinished?: number[];
}

interface PendingOrder {
  rows: ImportRow[];
  bytes: number;
}

/** Orders per request, as the route expects; the byte budget keeps a batch of long rows well within its limit. */
const ordersPerBatch = importLimits.ordersPerBatch;
const batchByteBudget = importLimits.batchBytes / 2;
const progressEveryMs = 5_000;

/**
 * CRLF to LF before csv-parse: with CRLF line ends its `info.lines` counts one
 * line too many, and each row's line number is what a rejection reports. A CR
 * at the end of a chunk waits for the next one.
 */
class LfLineEnds extends Transform {
  #pendingCr = false;

  override _transform(chunk: string, _encoding: BufferEncoding, done: TransformCallback): void {
    let text = (this.#pendingCr ? '\r' : '') + chunk;
    this.#pendingCr = text.endsWith('\r');
    if (this.#pendingCr) text = text.slice(0, -1);
    done(null, text.replace(/\r\n/g, '\n'));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.#pendingCr ? '\r' : '');
  }
}

/** One row as the API takes it: blank cells left out, since most of an export's cells are blank. */
function rowOf(line: number, record: Record<string, string>): ImportRow {
  const fields: Record<string, string> = {};
  for (const [column, value] of Object.entries(record)) if (value.trim() !== '') fields[column] = value;
  return { line, fields };
}

/** Reads the file's rows, each with the line it ends on; records csv-parse cannot read become rejections. */
async function* readRows(file: string, onBadRecord: (rejection: RowRejection) => void): AsyncGenerator<ImportRow> {
  // pipeline, not pipe: an unreadable file fails the parser, and so the loop below.
  const parser = pipeline(
    createReadStream(file, { encoding: 'utf8' }),
    new LfLineEnds({ decodeStrings: false, encoding: 'utf8' }),
    parse({
      bom: true,
      columns: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (error) onBadRecord({ line: Number(error['lines']), reason: `not valid CSV (${error.code})` });
        return undefined;
      },
    }),
    () => undefined,
  );
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield rowOf(info.lines, record);
  }
}

/** The rows grouped into orders, in file order: consecutive rows with one key are one order. */
async function* readOrders(format: ImportFormat, rows: AsyncIterable<ImportRow>): AsyncGenerator<ImportRow[]> {
  let order: ImportRow[] = [];
  let key: string | undefined;
  for await (const row of rows) {
    const rowKey = orderKeyOf(format, row);
    if (order.length > 0 && (rowKey === undefined || rowKey !== key)) {
      yield order;
      order = [];
    }
    order.push(row);
    key = rowKey;
  }
  if (order.length > 0) yield order;
}

function rowBytes(row: ImportRow): number {
  return Buffer.byteLength(JSON.stringify(row)) + 1;
}

class Progress {
  readonly #started = Date.now();
  #shownAt = 0;
  rows = 0;
  orders = 0;

  constructor(private readonly ctx: CommandContext) {}

  line(): string {
    const seconds = this.seconds();
    const rate = seconds > 0 ? Math.round(this.rows / seconds) : 0;
    return `${this.rows} rows, ${this.orders} orders read, ${rate} rows/s`;
  }

  seconds(): number {
    return (Date.now() - this.#started) / 1000;
  }

  show(): void {
    if (this.ctx.isTTY) {
      this.ctx.err(`\r\x1b[2K${this.line()}`);
    } else if (Date.now() - this.#shownAt >= progressEveryMs) {
      this.#shownAt = Date.now();
      this.ctx.err(`${this.line()}\n`);
    }
  }

  clear(): void {
    if (this.ctx.isTTY) this.ctx.err('\r\x1b[2K');
  }
}

function formatOf(value: unknown): ImportFormat {
  if (typeof value === 'string' && (importFormats as readonly string[]).includes(value)) return value as ImportFormat;
  throw new UsageError(`--format must be one of ${importFormats.join(', ')} (got "${String(value)}")`, importCommand.usage);
}

export const importCommand: Command = {
  name: 'import',
  usage: `import --channel <id> --format ${importFormats.join('|')} <file>`,
  summary: 'import past orders from an export file, through the same path as webhooks',
  options: { channel: { type: 'string' }, format: { type: 'string' } },
  args: ['file'],
  required: ['channel', 'format'],
  async run(ctx) {
    const [file] = ctx.args as [string];
    const format = formatOf(ctx.values['format']);
    const channelId = ctx.values['channel'] as string;
    const path = apiPath`/admin/channels/${channelId}/orders/import`;
    const summary: Summary = { imported: 0, duplicates: 0, rejected: [] };
    const progress = new Progress(ctx);
    const reject = (rejections: RowRejection[]) => {
      summary.rejected.push(...rejections);
      if (ctx.json || rejections.length === 0) return;
      progress.clear();
      for (const r of rejections) ctx.out(`line ${r.line}: ${r.reason}\n`);
    };

    let pending: PendingOrder[] = [];
    const fits = (order: PendingOrder) =>
      pending.length < ordersPerBatch &&
      pending.reduce((sum, o) => sum + o.rows.length, 0) + order.rows.length <= importLimits.rowsPerBatch &&
      pending.reduce((sum, o) => sum + o.bytes, 0) + order.bytes <= batchByteBudget;
    const send = async () => {
      const rows = pending.flatMap((order) => order.rows);
      const { body } = await ctx.client.post<BatchAnswer>(path, { format, rows });
      summary.imported += body.imported;
      summary.duplicates += body.duplicates;
      reject(body.rejected);
      const unfinished = new Set(body.unfinished ?? []);
      pending = pending.filter((order) => unfinished.has(order.rows[0]?.line ?? 0));
      progress.show();
    };

    try {
      const rows = readRows(file, (rejection) => reject([rejection]));
      for await (const orderRows of readOrders(format, rows)) {
        progress.rows += orderRows.length;
        progress.orders += 1;
        const order = { rows: orderRows, bytes: orderRows.reduce((sum, row) => sum + rowBytes(row), 0) };
        if (order.rows.length > importLimits.rowsPerBatch || order.bytes > batchByteBudget) {
          reject([{ line: order.rows[0]?.line ?? 0, reason: `order of ${order.rows.length} rows is too large to import in one request` }]);
          continue;
        }
        // Each answer records some orders at least, so this ends.
        while (!fits(order)) await send();
        pending.push(order);
      }
      while (pending.length > 0) await send();
    } catch (error) {
      progress.clear();
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
        throw new CliError(`cannot read ${file} (${code})`);
      }
      throw error;
    }
    progress.clear();

    summary.rejected.sort((a, b) => a.line - b.line);
    const seconds = progress.seconds();
    if (ctx.json) {
      ctx.out(`${JSON.stringify({ ...summary, rows: progress.rows, seconds }, null, 2)}\n`);
      return;
    }
    ctx.out(
      `Imported ${summary.imported} orders, ${summary.duplicates} duplicates, ${summary.rejected.length} rejected ` +
        `(${progress.line()} in ${seconds.toFixed(1)} s)\n`,
    );
  },
};
