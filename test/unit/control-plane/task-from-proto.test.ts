import { taskFromProto } from '../../../src/control-plane/task-from-proto.js';

const ID = 'A'.repeat(27);

describe('taskFromProto', () => {
  it('maps the oneof to the task kind and keeps its payload', () => {
    expect(taskFromProto({ id: ID, taskType: 'grant', grant: { entitlement: { id: 'e' } } })).toEqual({
      id: ID,
      kind: 'grant',
      payload: { entitlement: { id: 'e' } },
    });
    expect(taskFromProto({ id: ID, taskType: 'none', none: {} })).toBeUndefined();
    expect(taskFromProto(undefined)).toBeUndefined();
    expect(taskFromProto({ id: ID })).toMatchObject({ kind: 'unknown', payload: {} });
  });

  it.each(['', 'short', `${'a'.repeat(26)}-`, 'a'.repeat(28)])(
    'refuses a task whose id %j could never be finished',
    (id) => {
      expect(() => taskFromProto({ id, taskType: 'grant', grant: {} })).toThrow(/invalid task id/);
    },
  );
});
