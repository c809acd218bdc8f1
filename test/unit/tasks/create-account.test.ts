import { Code, alreadyExists, toStruct } from '../../../src/connector/index.js';
import type { CreateAccountResult } from '../../../src/connector/index.js';
import { createAccount } from '../../../src/tasks/index.js';
import { TestConnector, testContext, user } from './support.js';

const T = 'type.googleapis.com/c1.connector.v2.';

describe('create_account task', () => {
  const setup = (provisioningEnabled = true) => {
    const conn = new TestConnector();
    return { conn, handler: createAccount({ registry: conn.registry(), provisioningEnabled }) };
  };
  const profile = toStruct({ email: 'new@example.com', given_name: 'New', family_name: 'User' });
  const accountInfo = { emails: [{ address: 'new@example.com', isPrimary: true }], profile };

  it.each<[CreateAccountResult, Record<string, unknown>]>([
    [
      { kind: 'success', resource: user('n1') },
      { success: { resource: user('n1'), isCreateAccountResult: true } },
    ],
    [
      { kind: 'already_exists', resource: user('n1') },
      { alreadyExists: { resource: user('n1'), isCreateAccountResult: true } },
    ],
    [
      { kind: 'action_required', message: 'check your inbox' },
      { actionRequired: { message: 'check your inbox', isCreateAccountResult: true } },
    ],
    [{ kind: 'in_progress' }, { inProgress: { isCreateAccountResult: true } }],
  ])('answers CreateAccountResponse for a %j result', async (result, oneof) => {
    const { conn, handler } = setup();
    conn.createResult = result;
    const out = await handler.run({ accountInfo, resourceTypeId: 'user' }, testContext());
    expect(out).toEqual({
      kind: 'finish',
      response: { '@type': `${T}CreateAccountResponse`, annotations: [], ...oneof },
      annotations: [],
    });
    expect(conn.calls).toEqual([{ op: 'createAccount', args: [accountInfo] }]);
  });

  it('uses the registry default account type when the task names none', async () => {
    const { conn, handler } = setup();
    await handler.run({ accountInfo, resourceTypeId: '' }, testContext());
    expect(conn.count('createAccount')).toBe(1);
  });

  it('turns a plain-object profile into a Struct', async () => {
    const { conn, handler } = setup();
    await handler.run({ accountInfo: { profile: { email: 'a@b.c' } } }, testContext());
    expect(conn.calls[0]?.args[0]).toEqual({ profile: toStruct({ email: 'a@b.c' }) });
  });

  it('fails UNIMPLEMENTED for a type without account creation, without creating anything', async () => {
    const { conn, handler } = setup();
    const err = await handler
      .run({ accountInfo, resourceTypeId: 'team' }, testContext())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.UNIMPLEMENTED });
    expect(handler.classify(err)).toBe(true);
    expect(conn.count()).toBe(0);
  });

  it.each([
    [{}, 'missing account_info'],
    [{ accountInfo: 'x' }, 'missing account_info'],
    [{ accountInfo: { profile: 7 } }, 'account_info.profile is not an object'],
    [{ accountInfo, resourceTypeId: 5 }, 'resource_type_id is not a string'],
  ])('rejects a malformed payload %# without calling the connector', async (p, problem) => {
    const { conn, handler } = setup();
    await expect(handler.run(p, testContext())).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: `baton-fivetran: malformed create account task: ${problem}`,
    });
    expect(conn.count()).toBe(0);
  });

  it('fails FAILED_PRECONDITION with provisioning off, without calling the connector', async () => {
    const { conn, handler } = setup(false);
    await expect(handler.run({ accountInfo }, testContext())).rejects.toMatchObject({
      code: Code.FAILED_PRECONDITION,
      message: 'provisioning is not enabled',
    });
    expect(conn.count()).toBe(0);
  });

  it('passes connector errors on as non-retryable', async () => {
    const { conn, handler } = setup();
    conn.fail.createAccount = alreadyExists('baton-fivetran: create account new@example.com: conflict');
    const err = await handler.run({ accountInfo }, testContext()).catch((e: unknown) => e);
    expect(err).toBe(conn.fail.createAccount);
    expect(handler.classify(err)).toBe(true);
  });
});
