import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Caller, Role, UserDto } from '@northstar/contracts';
import { email, openIdentity, type IdentityFixture } from '../../test/fixture.js';
import { AuthService } from './auth.service.js';
import { MembersService } from './members.service.js';

const PASSWORD = 'correct horse battery';
let fx: IdentityFixture;
let auth: AuthService;
let members: MembersService;

beforeAll(async () => {
  fx = await openIdentity();
  auth = fx.app.get(AuthService);
  members = fx.app.get(MembersService);
}, 30_000);

afterAll(async () => {
  await fx.close();
});

function as(user: UserDto): Caller {
  return { userId: user.id, organizationId: user.organizationId, role: user.role };
}

/** A fresh organization with its owner and one member of each other role. */
async function organization(name: string) {
  const { user: owner, refreshToken } = await auth.register({ email: email(`${name}-owner`), password: PASSWORD, name: `${name} owner`, organization: name });
  const add = (role: Role) => members.add(as(owner), { email: email(`${name}-${role}`), name: `${name} ${role}`, password: PASSWORD, role });
  const [admin, member, viewer] = await Promise.all([add('admin'), add('member'), add('viewer')]);
  return { owner, admin, member, viewer, ownerRefreshToken: refreshToken };
}

describe('MembersService', () => {
  it('lists only the caller\'s organization', async () => {
    const acme = await organization('acme-list');
    const globex = await organization('globex-list');
    const list = await members.list(as(acme.member));
    expect(list.members.map((m) => m.id).sort()).toEqual([acme.owner.id, acme.admin.id, acme.member.id, acme.viewer.id].sort());
    expect(list.members.some((m) => m.organizationId === globex.owner.organizationId)).toBe(false);
  }, 30_000);

  it('lets owners and admins add members; an admin cannot add an owner; others cannot add', async () => {
    const o = await organization('acme-add');
    const added = await members.add(as(o.admin), { email: email('new-admin-hire'), name: 'Hire', password: PASSWORD, role: 'member' });
    expect(added).toMatchObject({ role: 'member', organizationId: o.owner.organizationId });
    await expect(auth.login({ email: added.email, password: PASSWORD })).resolves.toMatchObject({ expiresIn: 900 });

    await expect(members.add(as(o.admin), { email: email('x'), name: 'X', password: PASSWORD, role: 'owner' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    await expect(members.add(as(o.member), { email: email('y'), name: 'Y', password: PASSWORD, role: 'viewer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(members.add(as(o.owner), { email: email('co-owner'), name: 'Co', password: PASSWORD, role: 'owner' })).resolves.toMatchObject({ role: 'owner' });
    await expect(members.add(as(o.owner), { email: o.member.email.toUpperCase(), name: 'Dup', password: PASSWORD, role: 'viewer' })).rejects.toMatchObject({
      code: 'EMAIL_TAKEN',
      status: 409,
    });
  }, 30_000);

  it('reads the actor\'s authority from the database, not from the token\'s role', async () => {
    const o = await organization('acme-stale');
    await members.updateRole(as(o.owner), { id: o.admin.id, role: 'viewer' });
    await expect(members.add(as(o.admin), { email: email('z'), name: 'Z', password: PASSWORD, role: 'viewer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  }, 30_000);

  it('lets only owners change roles', async () => {
    const o = await organization('acme-roles');
    await expect(members.updateRole(as(o.owner), { id: o.member.id, role: 'admin' })).resolves.toMatchObject({ id: o.member.id, role: 'admin' });
    await expect(members.updateRole(as(o.admin), { id: o.viewer.id, role: 'member' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    await expect(members.updateRole(as(o.owner), { id: o.admin.id, role: 'owner' })).resolves.toMatchObject({ role: 'owner' });
  }, 30_000);

  it('treats a member of another organization as not found, for role changes and removal', async () => {
    const acme = await organization('acme-cross');
    const globex = await organization('globex-cross');
    await expect(members.updateRole(as(acme.owner), { id: globex.member.id, role: 'viewer' })).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND', status: 404 });
    await expect(members.remove(as(acme.owner), { id: globex.member.id })).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND', status: 404 });
    await expect(members.list(as(globex.owner))).resolves.toMatchObject({ members: expect.arrayContaining([expect.objectContaining({ id: globex.member.id, role: 'member' })]) });
  }, 30_000);

  it('lets owners and admins remove members, but only owners remove owners; removal ends their sessions', async () => {
    const o = await organization('acme-remove');
    const session = await auth.login({ email: o.viewer.email, password: PASSWORD });
    await expect(members.remove(as(o.member), { id: o.viewer.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(members.remove(as(o.admin), { id: o.viewer.id })).resolves.toBeUndefined();
    await expect(auth.refresh({ refreshToken: session.refreshToken })).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(auth.login({ email: o.viewer.email, password: PASSWORD })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });

    const coOwner = await members.add(as(o.owner), { email: email('co'), name: 'Co', password: PASSWORD, role: 'owner' });
    await expect(members.remove(as(o.admin), { id: coOwner.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(members.remove(as(o.owner), { id: coOwner.id })).resolves.toBeUndefined();
  }, 30_000);

  it('never demotes or removes the last owner', async () => {
    const o = await organization('acme-last');
    await expect(members.updateRole(as(o.owner), { id: o.owner.id, role: 'admin' })).rejects.toMatchObject({ code: 'LAST_OWNER', status: 409 });
    await expect(members.remove(as(o.owner), { id: o.owner.id })).rejects.toMatchObject({ code: 'LAST_OWNER', status: 409 });
    await expect(members.remove(as(o.admin), { id: o.owner.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(auth.refresh({ refreshToken: o.ownerRefreshToken })).resolves.toMatchObject({ expiresIn: 900 });
  }, 30_000);

  it('of two owners demoting each other at once, exactly one succeeds and one owner remains', async () => {
    const o = await organization('acme-race');
    const second = await members.updateRole(as(o.owner), { id: o.admin.id, role: 'owner' });
    const results = await Promise.allSettled([
      members.updateRole(as(o.owner), { id: second.id, role: 'admin' }),
      members.updateRole(as(second), { id: o.owner.id, role: 'admin' }),
    ]);
    const failures = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(failures).toHaveLength(1);
    // Whoever lost either was no longer an owner (FORBIDDEN) or would have been the last one (LAST_OWNER).
    expect(failures[0]).toMatchObject({ reason: { code: expect.stringMatching(/^(FORBIDDEN|LAST_OWNER)$/) } });
    const owners = (await members.list(as(o.member))).members.filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  }, 30_000);

  it('of two owners demoting themselves at once, exactly one succeeds', async () => {
    const o = await organization('acme-self');
    const second = await members.updateRole(as(o.owner), { id: o.admin.id, role: 'owner' });
    const results = await Promise.allSettled([
      members.updateRole(as(o.owner), { id: o.owner.id, role: 'member' }),
      members.updateRole(as(second), { id: second.id, role: 'member' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'LAST_OWNER' } });
    expect((await members.list(as(o.member))).members.filter((m) => m.role === 'owner')).toHaveLength(1);
  }, 30_000);
});
