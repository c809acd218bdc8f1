import { Code, permissionDenied } from '../../../src/connector/index.js';
import { deleteResource } from '../../../src/tasks/index.js';
import { rid, TestConnector, testContext } from './support.js';

const T = 'type.googleapis.com/c1.connector.v2.';

describe('delete_resource task', () => {
  const setup = (provisioningEnabled = true) => {
    const conn = new TestConnector();
    return { conn, handler: deleteResource({ registry: conn.registry(), provisioningEnabled }) };
  };

  it('deletes and answers DeleteResourceResponse', async () => {
    const { conn, handler } = setup();
    const out = await handler.run({ resourceId: rid('user', 'u1') }, testContext());
    expect(conn.calls).toEqual([{ op: 'deleteResource', args: [rid('user', 'u1'), undefined] }]);
    expect(out).toEqual({
      kind: 'finish',
      response: { '@type': `${T}DeleteResourceResponse`, annotations: [] },
      annotations: [],
    });
  });

  it('reports an already-deleted resource as ResourceDoesNotExist and passes the parent on', async () => {
    const { conn, handler } = setup();
    conn.deleteResult = { alreadyDeleted: true };
    const out = await handler.run(
      { resourceId: rid('user', 'u1'), parentResourceId: rid('team', 't1') },
      testContext(),
    );
    const marker = { '@type': `${T}ResourceDoesNotExist` };
    expect(out).toMatchObject({ annotations: [marker], response: { annotations: [marker] } });
    expect(conn.calls[0]?.args[1]).toEqual(rid('team', 't1'));
  });

  it('treats an empty decoded parent as absent', async () => {
    const { conn, handler } = setup();
    await handler.run({ resourceId: rid('user', 'u1'), parentResourceId: rid('', '') }, testContext());
    expect(conn.calls[0]?.args[1]).toBeUndefined();
  });

  it.each([
    [{}, 'missing resource_id'],
    [{ resourceId: rid('user', '') }, 'missing resource_id.resource'],
    [{ resourceId: rid('', 'u1') }, 'missing resource_id.resource_type'],
    [
      { resourceId: rid('user', 'u1'), parentResourceId: rid('team', '') },
      'missing parent_resource_id.resource',
    ],
  ])('rejects a malformed payload %# without calling the connector', async (p, problem) => {
    const { conn, handler } = setup();
    await expect(handler.run(p, testContext())).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: `baton-fivetran: malformed delete resource task: ${problem}`,
    });
    expect(conn.count()).toBe(0);
  });

  it('fails FAILED_PRECONDITION with provisioning off, without calling the connector', async () => {
    const { conn, handler } = setup(false);
    await expect(handler.run({ resourceId: rid('user', 'u1') }, testContext())).rejects.toMatchObject({
      code: Code.FAILED_PRECONDITION,
      message: 'provisioning is not enabled',
    });
    expect(conn.count()).toBe(0);
  });

  it('fails UNIMPLEMENTED for a type without deletion and passes connector errors on', async () => {
    const { conn, handler } = setup();
    await expect(handler.run({ resourceId: rid('team', 't1') }, testContext())).rejects.toMatchObject({
      code: Code.UNIMPLEMENTED,
    });
    conn.fail.deleteResource = permissionDenied('baton-fivetran: delete user:u1: refusing own key user');
    const err = await handler.run({ resourceId: rid('user', 'u1') }, testContext()).catch((e: unknown) => e);
    expect(err).toBe(conn.fail.deleteResource);
    expect(handler.classify(err)).toBe(true);
  });
});
