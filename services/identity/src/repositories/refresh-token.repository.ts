import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_DB, type IdentityDb, type UserRow } from './schema.js';

export interface NewRefreshToken {
  readonly tokenHash: string;
  readonly familyId: string;
  readonly userId: string;
  readonly expiresAt: Date;
}

export type Rotation = { outcome: 'rotated'; user: UserRow; familyId: string } | { outcome: 'reused' } | { outcome: 'invalid' };

@Injectable()
export class RefreshTokenRepository {
  constructor(@Inject(IDENTITY_DB) private readonly db: IdentityDb) {}

  async insert(token: NewRefreshToken): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({ token_hash: token.tokenHash, family_id: token.familyId, user_id: token.userId, expires_at: token.expiresAt })
      .execute();
  }

  /**
   * Spends the presented token and stores its successor in one transaction. The
   * conditional UPDATE is the atomic step: of two concurrent uses exactly one spends
   * it, and the other is reuse. Reuse revokes the whole family before returning.
   */
  rotate(presentedHash: string, next: { tokenHash: string; expiresAt: Date }, now: Date): Promise<Rotation> {
    return this.db.transaction().execute(async (trx): Promise<Rotation> => {
      const spent = await trx
        .updateTable('refresh_tokens')
        .set({ spent_at: now })
        .where('token_hash', '=', presentedHash)
        .where('spent_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['family_id', 'user_id'])
        .executeTakeFirst();

      if (!spent) {
        const known = await trx.selectFrom('refresh_tokens').select(['family_id', 'spent_at']).where('token_hash', '=', presentedHash).executeTakeFirst();
        if (!known || known.spent_at === null) return { outcome: 'invalid' };
        await trx.updateTable('refresh_tokens').set({ revoked_at: now }).where('family_id', '=', known.family_id).where('revoked_at', 'is', null).execute();
        return { outcome: 'reused' };
      }

      const user = await trx.selectFrom('users').selectAll().where('id', '=', spent.user_id).executeTakeFirstOrThrow();
      await trx
        .insertInto('refresh_tokens')
        .values({ token_hash: next.tokenHash, family_id: spent.family_id, user_id: spent.user_id, expires_at: next.expiresAt })
        .execute();
      return { outcome: 'rotated', user, familyId: spent.family_id };
    });
  }

  /** Revokes a session; scoped to its user so nobody ends another's session. */
  async revokeFamily(familyId: string, userId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('family_id', '=', familyId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
