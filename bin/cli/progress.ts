// Progress of long work on stderr: one line redrawn on a terminal, a line per
// step otherwise (logs and CI keep a readable record, not carriage returns).
import type { CommandContext } from './commands';

export interface Progress {
  /** `done` of `total` (undefined: unknown), with a note such as a rate. */
  update(done: number, total: number | undefined, note?: string): void;
  finish(): void;
}

const barWidth = 24;

export function progressBar(ctx: Pick<CommandContext, 'err' | 'isTTY'>, label: string, minIntervalMs = 2000): Progress {
  let lastText = '';
  let lastPrintedAt = 0;
  let drawn = false;
  return {
    update(done, total, note) {
      const share = total ? Math.min(1, done / total) : undefined;
      const bar = share === undefined ? '' : `[${'#'.repeat(Math.round(share * barWidth)).padEnd(barWidth, '.')}] `;
      const text = `${label} ${bar}${done}${total === undefined ? '' : `/${total}`}${note ? `  ${note}` : ''}`;
      if (text === lastText) return;
      lastText = text;
      if (ctx.isTTY) {
        ctx.err(`\r${text}\u001b[K`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (now - lastPrintedAt >= minIntervalMs || (total !== undefined && done >= total)) {
        lastPrintedAt = now;
        ctx.err(`${text}\n`);
      }
    },
    finish() {
      if (drawn) ctx.err('\n');
      drawn = false;
    },
  };
}
