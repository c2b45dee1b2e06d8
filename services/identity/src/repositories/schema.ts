import type { Plan, Role } from '@northstar/contracts';
import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | undefined, Date>;

export interface OrganizationsTable {
  id: string;
  name: string;
  plan: Plan;
  created_at: Generated<Date>;
}

export interface UsersTable {
  id: string;
  organization_id: string;
  /** Always stored lowercased: uniqueness is case-insensitive. */
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface RefreshTokensTable {
  /** SHA-256 of the opaque token; the token itself is never stored. */
  token_hash: string;
  /** The session: every token rotated from one login shares it. */
  family_id: string;
  user_id: string;
  expires_at: Date;
  spent_at: Date | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface ProcessedEventsTable {
  event_id: string;
  processed_at: Generated<Date>;
}

export interface IdentityDatabase {
  organizations: OrganizationsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  processed_events: ProcessedEventsTable;
}

export type IdentityDb = Kysely<IdentityDatabase>;
export type UserRow = Selectable<UsersTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;

/** Nest injection token of the Kysely instance; only repositories inject it. */
export const IDENTITY_DB = Symbol('IDENTITY_DB');
