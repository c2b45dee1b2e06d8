import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@northstar/contracts';
import type { Transaction } from 'kysely';
import { IDENTITY_DB, type IdentityDatabase, type IdentityDb, type UserRow } from './schema.js';

export interface NewUser {
  readonly id: string;
  readonly organizationId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function userValues(user: NewUser) {
  return {
    id: user.id,
    organization_id: user.organizationId,
    email: normalizeEmail(user.email),
    name: user.name,
    role: user.role,
    password_hash: user.passwordHash,
  };
}

/**
 * An organization whose owners are locked (SELECT … FOR UPDATE) until the surrounding
 * transaction ends, so owner-count checks and the change they allow cannot interleave
 * with another one's.
 */
export class LockedOrganization {
  constructor(
    private readonly trx: Transaction<IdentityDatabase>,
    readonly organizationId: string,
    readonly ownerIds: readonly string[],
  ) {}

  findMember(id: string): Promise<UserRow | undefined> {
    return this.trx.selectFrom('users').selectAll().where('id', '=', id).where('organization_id', '=', this.organizationId).executeTakeFirst();
  }

  setRole(id: string, role: Role): Promise<UserRow> {
    return this.trx
      .updateTable('users')
      .set({ role, updated_at: new Date() })
      .where('id', '=', id)
      .where('organization_id', '=', this.organizationId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Their refresh tokens go with them (ON DELETE CASCADE). */
  async remove(id: string): Promise<void> {
    await this.trx.deleteFrom('users').where('id', '=', id).where('organization_id', '=', this.organizationId).execute();
  }
}

@Injectable()
export class UserRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
  }

  findInOrganization(organizationId: string, id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
  }

  listByOrganization(organizationId: string): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('email').execute();
  }

  /** `undefined` when the email is taken (by anyone, in any organization). */
  insert(user: NewUser): Promise<UserRow | undefined> {
    return this.db
      .insertInto('users')
      .values(userValues(user))
      .onConflict((oc) => oc.column('email').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Runs `work` in one transaction holding the organization's owner rows locked.
   * `work` must use only the LockedOrganization it is given: on embedded PGlite the
   * transaction holds the only connection.
   */
  withOwnersLocked<T>(organizationId: string, work: (org: LockedOrganization) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const owners = await trx
        .selectFrom('users')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where('role', '=', 'owner')
        .orderBy('id')
        .forUpdate()
        .execute();
      return work(new LockedOrganization(trx, organizationId, owners.map((o) => o.id)));
    });
  }
}
