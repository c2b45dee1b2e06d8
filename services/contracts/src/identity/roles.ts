export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles allowed to change roadmap items. */
export const WRITER_ROLES: readonly Role[] = ['owner', 'admin', 'member'];
/** Roles allowed to add or remove organization members. */
export const MEMBER_ADMIN_ROLES: readonly Role[] = ['owner', 'admin'];

export const PLANS = ['free', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

/** What each plan allows. The gateway reads the organization's plan and passes the limit on. */
export const PLAN_LIMITS: Record<Plan, { maxItems: number | null }> = {
  free: { maxItems: 100 },
  pro: { maxItems: 10_000 },
  enterprise: { maxItems: null },
};
