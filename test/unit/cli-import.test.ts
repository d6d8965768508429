// `huitou import` against a fake admin API: how the file is read (BOM, CRLF,
// quotes, line numbers), grouped into orders and batched, and what is printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../bin/huitou';
import type { ImportRow } from '../../functions/domain/import/index';

interface Batch {
  path: string;
  body: { format: string; rows: ImportRow[] };
}

const batches: Batch[] = [];
let answer: (batch: Batch) => { status: number; body: unknown };
let server: Server;
let apiUrl: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'huitou-cli-import-'));
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const batch = { path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
    batches.push(batch);
    const { status, body } = answer(batch);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  batches.length = 0;
  answer = (batch) => ({ status: 200, body: { imported: new Set(batch.body.rows.map((r) => r.fields['Name'] ?? r.fields['order_id'])).size, duplicates: 0, rejected: [] } });
});

async function importFile(content: string | Buffer, format = 'csv', extra: string[] = []) {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, content);
  let stdout = '';
  let stderr = '';
  const code = await run(['import', '--channel', 'ch_1', '--format', format, file, '--api-url', apiUrl, '--api-key', 'k', ...extra], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { XDG_RUNTIME_DIR: dir },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

const sentRows = () => batches.flatMap((b) => b.body.rows);

describe('huitou import', () => {
  it('reads a file with a BOM, CRLF line ends and quoted cells, each row with its line', async () => {
    const csv =
      '\uFEFForder_id,email,created_at,total,currency,first_name\r\n' +
      '1,a@example.com,2024-01-01,10.00,USD,"Smith, Ann"\r\n' +
      '\r\n' +
      '2,b@example.com,2024-01-02,5.00,USD,"Line\r\nbreak"\r\n' +
      '3,c@example.com,2024-01-03,1.00,USD,"say ""hi"""\r\n';

    const result = await importFile(csv);

    expect(result.code).toBe(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.path).toBe('/admin/channels/ch_1/orders/import');
    expect(batches[0]?.body.format).toBe('csv');
    expect(sentRows()).toEqual([
      { line: 2, fields: { order_id: '1', email: 'a@example.com', created_at: '2024-01-01', total: '10.00', currency: 'USD', first_name: 'Smith, Ann' } },
      { line: 5, fields: { order_id: '2', email: 'b@example.com', created_at: '2024-01-02', total: '5.00', currency: 'USD', first_name: 'Line\nbreak' } },
      { line: 6, fields: { order_id: '3', email: 'c@example.com', created_at: '2024-01-03', total: '1.00', currency: 'USD', first_name: 'say "hi"' } },
    ]);
    expect(result.stdout).toContain('Imported 3 orders, 0 duplicates, 0 rejected');
  });

  it('leaves blank cells out of the rows it sends', async () => {
    await importFile('order_id,email,phone\n1,a@example.com,\n');

    expect(sentRows()).toEqual([{ line: 2, fields: { order_id: '1', email: 'a@example.com' } }]);
  });

  it('sends about 200 orders per batch and never splits the rows of one order', async () => {
    const lines = ['Name,Email,Lineitem name'];
    for (let order = 1; order <= 450; order += 1) {
      for (let item = 0; item < (order % 3) + 1; item += 1) lines.push(`#${order},c${order}@example.com,item ${item}`);
    }

    const result = await importFile(`${lines.join('\n')}\n`, 'shopify-orders-csv');

    expect(result.code).toBe(0);
    const names = batches.map((b) => [...new Set(b.body.rows.map((r) => r.fields['Name']))]);
    expect(names.map((n) => n.length)).toEqual([200, 200, 50]);
    const all = names.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(sentRows()).toHaveLength(lines.length - 1);
    expect(result.stdout).toContain('Imported 450 orders');
  });

  it('sends again the orders the API left unfinished, until every order is done', async () => {
    let calls = 0;
    answer = (batch) => {
      calls += 1;
      const firstLines = batch.body.rows.map((r) => r.line);
      // The first answer leaves its last two orders for later.
      const unfinished = calls === 1 ? firstLines.slice(-2) : [];
      return { status: 200, body: { imported: firstLines.length - unfinished.length, duplicates: 0, rejected: [], unfinished } };
    };
    const lines = ['order_id,email'];
    for (let i = 1; i <= 250; i += 1) lines.push(`${i},c${i}@example.com`);

    const result = await importFile(`${lines.join('\n')}\n`);

    expect(result.code).toBe(0);
    expect(batches.map((b) => b.body.rows.length)).toEqual([200, 52]);
    expect(batches[1]?.body.rows.slice(0, 2).map((r) => r.fields['order_id'])).toEqual(['199', '200']);
    expect(result.stdout).toContain('Imported 250 orders');
  });

  it('reports rejected rows by line and goes on, then a summary (or the summary as JSON)', async () => {
    answer = (batch) => ({
      status: 200,
      body: { imported: batch.body.rows.length - 1, duplicates: 0, rejected: [{ line: 3, reason: 'invalid order: total: must not be negative' }] },
    });
    const csv = 'order_id,email\n1,a@example.com\n2,b@example.com\n3,"broken"x\n4,d@example.com\n';

    const human = await importFile(csv);

    expect(human.code).toBe(0);
    expect(human.stdout).toContain('line 3: invalid order: total: must not be negative\n');
    expect(human.stdout).toContain('line 4: not valid CSV (CSV_INVALID_CLOSING_QUOTE)\n');
    // A stray quote opens a quoted cell the rest of the file never closes: csv-parse says so at the end.
    expect(human.stdout).toContain('line 5: not valid CSV (CSV_QUOTE_NOT_CLOSED)\n');
    expect(human.stdout).toContain('3 rejected');

    const json = await importFile(csv, 'csv', ['--json']);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({ duplicates: 0, rejected: [{ line: 3 }, { line: 4, reason: 'not valid CSV (CSV_INVALID_CLOSING_QUOTE)' }, { line: 5 }] });
    expect(summary.rows).toBe(2);
  });

  it('shows progress with rows per second on stderr', async () => {
    const result = await importFile('order_id,email\n1,a@example.com\n');

    expect(result.stderr).toMatch(/1 rows, 1 orders read, \d+ rows\/s/);
  });

  it('exits 1 when the API refuses a batch, and 2 for an unknown format', async () => {
    answer = () => ({ status: 404, body: { error: { code: 'not_found', message: 'no channel ch_1' } } });

    const refused = await importFile('order_id,email\n1,a@example.com\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no channel ch_1 (404 not_found)');

    const usage = await importFile('order_id\n1\n', 'xlsx');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--format must be one of shopify-orders-csv, woocommerce-orders-csv, csv');
  });

  it('exits 1 with the reason when the file cannot be read', async () => {
    let stderr = '';
    const code = await run(['import', '--channel', 'ch_1', '--format', 'csv', join(dir, 'missing.csv'), '--api-url', apiUrl, '--api-key', 'k'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: { XDG_RUNTIME_DIR: dir },
      cwd: dir,
    });

    expect(code).toBe(1);
    expect(stderr).toContain('cannot read');
    expect(stderr).toContain('ENOENT');
    expect(batches).toHaveLength(0);
  });
});
