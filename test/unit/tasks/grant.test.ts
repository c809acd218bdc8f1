import { Code, unavailable } from '../../../src/connector/index.js';
import { grant } from '../../../src/tasks/index.js';
import { grantOf, memberOf, team, TestConnector, testContext, user } from './support.js';

const T = 'type.googleapis.com/c1.connector.v2.';

describe('grant task', () => {
  const setup = (provisioningEnabled = true) => {
    const conn = new TestConnector();
    return { conn, handler: grant({ registry: conn.registry(), provisioningEnabled }) };
  };
  const payload = { entitlement: memberOf(team('t1')), principal: user('u1') };

  it('grants and answers GrantManagerServiceGrantResponse with the grants and annotations', async () => {
    const { conn, handler } = setup();
    const g = grantOf(team('t1'), user('u1'));
    conn.grantResult = { grants: [g] };
    const out = await handler.run(payload, testContext());
    expect(conn.calls).toEqual([{ op: 'grant', args: [payload.principal, payload.entitlement] }]);
    expect(out).toEqual({
      kind: 'finish',
      response: { '@type': `${T}GrantManagerServiceGrantResponse`, annotations: [], grants: [g] },
      annotations: [],
    });
  });

  it('reports an already-held entitlement as GrantAlreadyExists, once', async () => {
    const { conn, handler } = setup();
    conn.grantResult = { alreadyExists: true };
    const out = await handler.run(payload, testContext());
    const marker = { '@type': `${T}GrantAlreadyExists` as const };
    expect(out).toMatchObject({ kind: 'finish', annotations: [marker], response: { annotations: [marker] } });

    conn.grantResult = { alreadyExists: true, annotations: [marker] };
    const again = await handler.run(payload, testContext());
    expect(again).toMatchObject({ annotations: [marker], response: { annotations: [marker] } });
  });

  it.each([
    [{ principal: user('u1') }, 'missing entitlement'],
    [{ entitlement: memberOf(team('t1')) }, 'missing principal'],
    [{ entitlement: { id: 'x' }, principal: user('u1') }, 'missing entitlement.resource'],
    [
      { entitlement: memberOf(team('t1')), principal: { id: { resourceType: 'user' } } },
      'missing principal.id.resource',
    ],
    [{ entitlement: { ...memberOf(team('t1')), id: '' }, principal: user('u1') }, 'missing entitlement.id'],
  ])('rejects a malformed payload %# without calling the connector', async (p, problem) => {
    const { conn, handler } = setup(false);
    const err = await handler.run(p, testContext()).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: `baton-fivetran: malformed grant task: ${problem}`,
    });
    expect(handler.classify(err)).toBe(true);
    expect(conn.count()).toBe(0);
  });

  it('fails FAILED_PRECONDITION with provisioning off, without calling the connector', async () => {
    const { conn, handler } = setup(false);
    const err = await handler.run(payload, testContext()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.FAILED_PRECONDITION, message: 'provisioning is not enabled' });
    expect(handler.classify(err)).toBe(true);
    expect(conn.count()).toBe(0);
  });

  it('passes connector errors on as non-retryable, even retryable-looking ones', async () => {
    const { conn, handler } = setup();
    conn.fail.grant = unavailable('baton-fivetran: grant team:t1:member to user:u1: upstream 503');
    const err = await handler.run(payload, testContext()).catch((e: unknown) => e);
    expect(err).toBe(conn.fail.grant);
    expect(handler.classify(err)).toBe(true);
  });

  it('fails NOT_FOUND for an entitlement on an unknown resource type', async () => {
    const { conn, handler } = setup();
    const bogus = { ...memberOf(team('t1')), resource: { id: { resourceType: 'nope', resource: 'x' } } };
    const err = await handler.run({ ...payload, entitlement: bogus }, testContext()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.NOT_FOUND });
    expect(conn.count()).toBe(0);
  });
});
