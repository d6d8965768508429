// Keeps one process's mail below its share of the SES sending rate: each send
// waits for its slot, however many records a batch runs at once.
import type { Mailer } from '../app/campaign-ports';

export function pacedMailer(mailer: Mailer, ratePerSecond: number, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))): Mailer {
  const intervalMs = 1000 / ratePerSecond;
  let nextSlot = 0;
  return {
    async send(mail) {
      const now = Date.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + intervalMs;
      if (slot > now) await sleep(slot - now);
      return mailer.send(mail);
    },
  };
}
