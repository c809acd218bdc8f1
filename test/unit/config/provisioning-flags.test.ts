import { ConfigError, configSchema, renderHelp } from '../../../src/config/index.js';
import { load } from './support.js';

const errorOf = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    load(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error(`no ConfigError for ${argv.join(' ')}`);
};

describe('one-shot provisioning flags', () => {
  it('leave provisioningAction unset for a plain sync', () => {
    expect(load([]).provisioningAction).toBeUndefined();
    expect(load([], { BATON_GRANT_ENTITLEMENT: '' }).provisioningAction).toBeUndefined();
  });

  it('read a grant from flags, as the CI script writes them', () => {
    const c = load([
      '--grant-entitlement=team:t1:member',
      '--grant-principal=u1',
      '--grant-principal-type=user',
      '-p',
    ]);
    expect(c.provisioningAction).toEqual({
      kind: 'grant',
      entitlementId: 'team:t1:member',
      principalId: 'u1',
      principalType: 'user',
    });
    expect(c.sync.provisioning).toBe(true);
    expect(Object.isFrozen(c.provisioningAction)).toBe(true);
  });

  it('read a grant without a principal type, and a revoke and a delete from the environment', () => {
    expect(
      load(['--grant-entitlement', 'role:Account Billing:assigned', '--grant-principal', ' u2 ']),
    ).toMatchObject({
      provisioningAction: {
        kind: 'grant',
        entitlementId: 'role:Account Billing:assigned',
        principalId: 'u2',
      },
    });
    expect(load([], { BATON_REVOKE_GRANT: 'team:t1:member:user:u1' }).provisioningAction).toEqual({
      kind: 'revoke',
      grantId: 'team:t1:member:user:u1',
    });
    expect(
      load([], { BATON_DELETE_RESOURCE: 'u9', BATON_DELETE_RESOURCE_TYPE: 'user' }).provisioningAction,
    ).toEqual({ kind: 'delete-resource', resourceId: 'u9', resourceTypeId: 'user' });
  });

  it('read a create-account with a JSON profile, frozen all the way down', () => {
    const c = load([
      '--create-account-email',
      'ada@example.com',
      '--create-account-profile',
      '{"given_name":"Ada","family_name":"Lovelace","tags":["x"]}',
    ]);
    expect(c.provisioningAction).toEqual({
      kind: 'create-account',
      email: 'ada@example.com',
      profile: { given_name: 'Ada', family_name: 'Lovelace', tags: ['x'] },
    });
    const action = c.provisioningAction;
    if (action?.kind !== 'create-account') throw new Error('expected create-account');
    expect(Object.isFrozen(action.profile)).toBe(true);
    expect(Object.isFrozen(action.profile?.tags)).toBe(true);
    expect(
      load(['--create-account-login', 'ada', '--create-account-resource-type', 'user']).provisioningAction,
    ).toEqual({ kind: 'create-account', login: 'ada', resourceTypeId: 'user' });
  });

  it.each([
    [
      ['--grant-entitlement', 'e', '--grant-principal', 'p', '--revoke-grant', 'g'],
      {},
      /--grant-entitlement \(\$BATON_GRANT_ENTITLEMENT\) and --revoke-grant \(\$BATON_REVOKE_GRANT\) cannot be used together/,
    ],
    [
      ['--create-account-email', 'a@b.c'],
      { BATON_DELETE_RESOURCE: 'u1', BATON_DELETE_RESOURCE_TYPE: 'user' },
      /--create-account-email \(\$BATON_CREATE_ACCOUNT_EMAIL\) and --delete-resource \(\$BATON_DELETE_RESOURCE\) cannot be used together/,
    ],
    [
      ['--grant-entitlement', 'team:t1:member'],
      {},
      /--grant-principal \(\$BATON_GRANT_PRINCIPAL\) is required with --grant-entitlement \(\$BATON_GRANT_ENTITLEMENT\)/,
    ],
    [
      ['--grant-principal', 'u1'],
      {},
      /--grant-entitlement \(\$BATON_GRANT_ENTITLEMENT\) is required with --grant-principal \(\$BATON_GRANT_PRINCIPAL\)/,
    ],
    [
      [],
      { BATON_GRANT_PRINCIPAL_TYPE: 'user' },
      /--grant-entitlement \(\$BATON_GRANT_ENTITLEMENT\) is required with --grant-principal-type/,
    ],
    [
      ['--delete-resource', 'u1'],
      {},
      /--delete-resource-type \(\$BATON_DELETE_RESOURCE_TYPE\) is required with --delete-resource \(/,
    ],
    [
      ['--delete-resource-type', 'user'],
      {},
      /--delete-resource \(\$BATON_DELETE_RESOURCE\) is required with --delete-resource-type/,
    ],
    [
      ['--create-account-profile', '{"given_name":"Ada"}'],
      {},
      /--create-account-login \(\$BATON_CREATE_ACCOUNT_LOGIN\) or --create-account-email \(\$BATON_CREATE_ACCOUNT_EMAIL\) is required with --create-account-profile/,
    ],
    [
      ['--create-account-email', 'a@b.c', '--create-account-profile', '{given_name: Ada}'],
      {},
      /invalid --create-account-profile \(\$BATON_CREATE_ACCOUNT_PROFILE\): expected a JSON object .* not valid JSON/,
    ],
    [
      ['--create-account-email', 'a@b.c'],
      { BATON_CREATE_ACCOUNT_PROFILE: '["Ada"]' },
      /invalid --create-account-profile \(\$BATON_CREATE_ACCOUNT_PROFILE\): expected a JSON object .*got an array/,
    ],
    [
      ['--create-account-email', 'a@b.c', '--create-account-profile', '"Ada"'],
      {},
      /expected a JSON object .*got a string/,
    ],
    [
      ['--create-account-email', 'a@b.c', '--create-account-profile', 'null'],
      {},
      /expected a JSON object .*got null/,
    ],
  ])('refuse %j with env %j', (argv, env, message) => {
    expect(errorOf(argv, env)).toMatch(message);
  });

  it('are refused in service mode, naming the flag and --client-id', () => {
    const jwk = Buffer.from(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'AAAA', d: 'BBBB' })).toString(
      'base64url',
    );
    const message = errorOf(['--revoke-grant', 'g'], {
      BATON_CLIENT_ID: 'name@tenant.conductor.one/x',
      BATON_CLIENT_SECRET: `secret-token:conductorone.com:v1:${jwk}`,
    });
    expect(message).toMatch(
      /--revoke-grant \(\$BATON_REVOKE_GRANT\) is a one-shot operation and cannot be used with --client-id/,
    );
  });

  it('stay out of the main help rows but are listed apart, and appear in the config schema', () => {
    const help = renderHelp('1.2.3');
    const [main = '', rest = ''] = help.split('One-shot provisioning flags');
    expect(main).toContain('--provisioning');
    expect(main).not.toContain('--grant-entitlement');
    expect(rest).toMatch(/^\s+--grant-entitlement string\s+One-shot: .*\(\$BATON_GRANT_ENTITLEMENT\)$/m);
    expect(rest).toMatch(/^\s+--create-account-profile string\s+.*\(\$BATON_CREATE_ACCOUNT_PROFILE\)$/m);
    const names = (configSchema() as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['grant-entitlement', 'revoke-grant', 'delete-resource-type']),
    );
  });
});
