// Who may do what on the admin API. One table, so a route cannot forget a role.

export const roles = ['owner', 'staff', 'readonly'] as const;
export type Role = (typeof roles)[number];

export type Right = 'read' | 'manage' | 'redrive' | 'rescore' | 'run-campaigns' | 'log-complaints' | 'import-orders';

const rights: Record<Role, readonly Right[]> = {
  owner: ['read', 'manage', 'redrive', 'rescore', 'run-campaigns', 'log-complaints', 'import-orders'],
  staff: ['read', 'redrive', 'rescore', 'run-campaigns', 'log-complaints', 'import-orders'],
  readonly: ['read'],
};

export function can(role: Role, right: Right): boolean {
  return rights[role].includes(right);
}
