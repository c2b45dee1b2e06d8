import { describe, expect, it } from '@jest/globals';
import { PasswordService } from './password.service.js';

const passwords = new PasswordService();

describe('PasswordService', () => {
  it('stores a self-describing scrypt hash with a fresh salt each time', async () => {
    const a = await passwords.hash('correct horse battery');
    const b = await passwords.hash('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await passwords.hash('correct horse battery');
    await expect(passwords.verify('correct horse battery', stored)).resolves.toBe(true);
    await expect(passwords.verify('correct horse batterY', stored)).resolves.toBe(false);
  });

  it('verifies hashes made with other parameters, so they can change later', async () => {
    const stored = await passwords.hash('pw-before-upgrade');
    const [, , , , salt] = stored.split('$');
    const { scryptSync } = await import('node:crypto');
    const legacy = `scrypt$16384$8$1$${salt}$${scryptSync('pw-before-upgrade', Buffer.from(salt!, 'base64url'), 32, { N: 16384, r: 8, p: 1 }).toString('base64url')}`;
    await expect(passwords.verify('pw-before-upgrade', legacy)).resolves.toBe(true);
  });

  it('refuses malformed or absurd stored hashes instead of throwing', async () => {
    for (const stored of ['', 'bcrypt$x', 'scrypt$3$8$1$c2FsdA$aGFzaA', 'scrypt$4194304$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA']) {
      await expect(passwords.verify('anything', stored)).resolves.toBe(false);
    }
  });

  it('spends a verification on an unknown user and fails', async () => {
    await expect(passwords.verifyNobody('whatever-password')).resolves.toBe(false);
  });
});
