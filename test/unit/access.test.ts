import { describe, expect, it } from 'vitest';
import { can, roles, type Right, type Role } from '../../functions/domain/access';

const everyRight: Right[] = ['read', 'manage', 'redrive', 'run-campaigns', 'log-complaints', 'import-orders'];

function rightsOf(role: Role): Right[] {
  return everyRight.filter((right) => can(role, right));
}

describe('Function: can', () => {
  it('lists the three roles of the admin API', () => {
    expect(roles).toEqual(['owner', 'staff', 'readonly']);
  });

  it('gives the owner every right', () => {
    expect(rightsOf('owner')).toEqual(everyRight);
  });

  it('lets staff read, redrive dead letters, run campaigns, log complaints and import orders, but not manage', () => {
    expect(rightsOf('staff')).toEqual(['read', 'redrive', 'run-campaigns', 'log-complaints', 'import-orders']);
  });

  it('lets a readonly key read and nothing else', () => {
    expect(rightsOf('readonly')).toEqual(['read']);
  });
});
