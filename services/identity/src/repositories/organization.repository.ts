import { Inject, Injectable } from '@nestjs/common';
import type { Plan } from '@northstar/contracts';
import { userValues, type NewUser } from './user.repository.js';
import { IDENTITY_DB, type IdentityDb, type OrganizationRow, type UserRow } from './schema.js';

export type PlanChange = 'applied' | 'duplicate' | 'unknown-organization';

class EmailTaken extends Error {}

@Injectable()
export class OrganizationRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  findById(id: string): Promise<OrganizationRow | undefined> {
    return this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Creates the organization and its first user together; `undefined` (and no organization) when the email is taken. */
  async createWithOwner(organization: { id: string; name: string }, owner: Omit<NewUser, 'organizationId'>): Promise<UserRow | undefined> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('organizations').values({ id: organization.id, name: organization.name, plan: 'free' }).execute();
        const user = await trx
          .insertInto('users')
          .values(userValues({ ...owner, organizationId: organization.id }))
          .onConflict((oc) => oc.column('email').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!user) throw new EmailTaken();
        return user;
      });
    } catch (error) {
      if (error instanceof EmailTaken) return undefined;
      throw error;
    }
  }

  /**
   * Records the event and sets the plan in one transaction, so an event is applied at
   * most once however often it is delivered.
   */
  setPlanOnce(eventId: string, organizationId: string, plan: Plan): Promise<PlanChange> {
    return this.db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('processed_events')
        .values({ event_id: eventId })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!fresh) return 'duplicate';
      const updated = await trx.updateTable('organizations').set({ plan }).where('id', '=', organizationId).executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        // Not recorded: should the organization appear later, a redelivery still applies.
        await trx.deleteFrom('processed_events').where('event_id', '=', eventId).execute();
        return 'unknown-organization';
      }
      return 'applied';
    });
  }
}
