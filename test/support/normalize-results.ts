// Reading a normalizer's result in tests: the event, the order, or the issues.
import type { ChannelEvent, NormalizedOrder } from '../../functions/domain/model';
import type { NormalizeResult } from '../../functions/domain/normalize';

export function eventOf(result: NormalizeResult): ChannelEvent {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.issues.join('; ')}`);
  return result.event;
}

export function orderOf(result: NormalizeResult): NormalizedOrder {
  const event = eventOf(result);
  if (event.kind !== 'order') throw new Error(`expected an order, got ${event.kind}`);
  return event.order;
}

export const issuesOf = (result: NormalizeResult): string[] => (result.ok ? [] : result.issues);
