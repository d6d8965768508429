// Where a campaign's status may go. A draft is prepared, an active campaign
// sends, a paused one waits, an archived one is kept only for its stats:
// nothing moves it again, so its numbers stay the numbers of what it was.
import type { CampaignStatus } from './campaign';

const nextStatuses: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['active', 'archived'],
  active: ['paused', 'archived'],
  paused: ['active', 'archived'],
  archived: [],
};

/** Whether staff may move a campaign from `from` to `to`; staying where it is counts as a move for all but archived. */
export function canMoveCampaign(from: CampaignStatus, to: CampaignStatus): boolean {
  if (from === 'archived') return false;
  return from === to || nextStatuses[from].includes(to);
}
