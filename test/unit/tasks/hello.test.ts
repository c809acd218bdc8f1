import { unavailable } from '../../../src/connector/index.js';
import { hello } from '../../../src/tasks/index.js';
import { logSink, testContext } from './support.js';

describe('hello task', () => {
  it('answers with Hello and asks for no FinishTask', async () => {
    const ctx = testContext();
    expect(await hello().run({}, ctx)).toEqual({ kind: 'no-finish' });
    expect(ctx.events).toEqual(['hello']);
  });

  it('only logs a failing Hello', async () => {
    const sink = logSink();
    const ctx = testContext({ log: sink.log });
    ctx.hello = async () => {
      throw unavailable('baton-fivetran: hello: control plane down');
    };
    expect(await hello().run({}, ctx)).toEqual({ kind: 'no-finish' });
    expect(sink.lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'hello task failed, the control plane will ask again' }),
    ]);
  });
});
