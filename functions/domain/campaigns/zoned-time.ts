// Wall-clock time in an IANA zone, read through Intl (the runtime's tz data),
// for campaign schedules and quiet hours. Each wall-clock minute maps to one
// instant (instantAt), and later wall times never map to earlier instants: a
// time that a DST jump skips maps to the instant of the jump (when the clock
// first shows a later time), and a time that DST repeats maps to its first pass.

const minuteMs = 60_000;
const dayMs = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** Whether `timeZone` is a zone name that this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  // Intl takes offsets such as +01:00 too, which name no zone.
  if (/^[+-]/.test(timeZone)) return false;
  try {
    formatIn(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The wall clock in `timeZone` at `at`, as if it were a UTC time: milliseconds
 * since the epoch, whole seconds. Calendar arithmetic on it is plain UTC arithmetic.
 */
export function wallClockAt(at: Date, timeZone: string): number {
  return wallMs(at.getTime(), timeZone);
}

function wallMs(at: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatIn(timeZone).formatToParts(at)) parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The instant the wall clock in `timeZone` shows `local` (a wall time as UTC milliseconds, see wallClockAt). */
export function instantAt(local: number, timeZone: string): Date {
  return passesOf(local, timeZone)[0]!;
}

/**
 * The instants, ascending, at which the wall clock in `timeZone` shows
 * `local`: one, two when DST repeats it, or the jump when DST skips it.
 */
export function passesOf(local: number, timeZone: string): Date[] {
  // A zone changes its offset at most once within a day either side, so the
  // offsets a day before and after are the only ones `local` can carry; a
  // fallback makes the earlier offset the larger, so the passes come in order.
  const offsets = [local - dayMs, local + dayMs].map((at) => wallMs(at, timeZone) - Math.floor(at / 1000) * 1000);
  if (offsets[0] === offsets[1]) offsets.pop();
  const passes = offsets.map((offset) => local - offset).filter((at) => wallMs(at, timeZone) === local);
  if (passes.length > 0) return passes.map((at) => new Date(at));
  // Skipped: the clock jumped over `local` between these two instants. Find
  // the first minute after the jump by bisection.
  const before = local - offsets[1]!;
  let shown = 0;
  let jumped = (offsets[1]! - offsets[0]!) / minuteMs;
  while (jumped - shown > 1) {
    const middle = (shown + jumped) >> 1;
    if (wallMs(before + middle * minuteMs, timeZone) > local) jumped = middle;
    else shown = middle;
  }
  return [new Date(before + jumped * minuteMs)];
}
