import { Code, permissionDenied } from '../../../src/connector/index.js';
import { revoke } from '../../../src/tasks/index.js';
import { grantOf, team, TestConnector, testContext, user } from './support.js';

const T = 'type.googleapis.com/c1.connector.v2.';

describe('revoke task', () => {
  const setup = (provisioningEnabled = true) => {
    const conn = new TestConnector();
    return { conn, handler: revoke({ registry: conn.registry(), provisioningEnabled }) };
  };
  const g = grantOf(team('t1'), user('u1'));

  it('revokes and answers GrantManagerServiceRevokeResponse', async () => {
    const { conn, handler } = setup();
    const out = await handler.run({ grant: g }, testContext());
    expect(conn.calls).toEqual([{ op: 'revoke', args: [g] }]);
    expect(out).toEqual({
      kind: 'finish',
      response: { '@type': `${T}GrantManagerServiceRevokeResponse`, annotations: [] },
      annotations: [],
    });
  });

  it('reports an already-removed grant as GrantAlreadyRevoked and copies connector annotations', async () => {
    const { conn, handler } = setup();
    const rl = { '@type': `${T}RateLimitDescription` as const, status: 'STATUS_OK' };
    conn.revokeResult = { alreadyRevoked: true, annotations: [rl] };
    const out = await handler.run({ grant: g }, testContext());
    const expected = [rl, { '@type': `${T}GrantAlreadyRevoked` }];
    expect(out).toMatchObject({ annotations: expected, response: { annotations: expected } });
  });

  it.each([
    [{}, 'missing grant'],
    [{ grant: { ...g, entitlement: undefined } }, 'missing grant.entitlement'],
    [{ grant: { ...g, principal: 'u1' } }, 'missing grant.principal'],
  ])('rejects a malformed payload %# without calling the connector', async (p, problem) => {
    const { conn, handler } = setup();
    await expect(handler.run(p, testContext())).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: `baton-fivetran: malformed revoke task: ${problem}`,
    });
    expect(conn.count()).toBe(0);
  });

  it('fails FAILED_PRECONDITION with provisioning off, without calling the connector', async () => {
    const { conn, handler } = setup(false);
    await expect(handler.run({ grant: g }, testContext())).rejects.toMatchObject({
      code: Code.FAILED_PRECONDITION,
      message: 'provisioning is not enabled',
    });
    expect(conn.count()).toBe(0);
  });

  it('passes connector errors on as non-retryable', async () => {
    const { conn, handler } = setup();
    conn.fail.revoke = permissionDenied('baton-fivetran: revoke: key lacks scope');
    const err = await handler.run({ grant: g }, testContext()).catch((e: unknown) => e);
    expect(err).toBe(conn.fail.revoke);
    expect(handler.classify(err)).toBe(true);
  });
});
