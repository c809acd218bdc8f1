import { Writable } from 'node:stream';
import { createLogger } from '../../../src/ops/index.js';
import { Secret } from '../../../src/config/index.js';

const sink = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
};

describe('createLogger', () => {
  it('redacts secret keys and authorization headers wherever they sit', () => {
    const { lines, destination } = sink();
    const log = createLogger({ level: 'info', format: 'json', destination });
    log.info(
      {
        clientSecret: 'cs-123',
        authorization: 'Bearer tok-1',
        req: { headers: { authorization: 'Basic b64' } },
        config: { apiSecret: 'as-456', nested: { token: 'tok-2' } },
        wrapped: new Secret('ws-789'),
      },
      'hello',
    );
    const text = lines.join('\n');
    for (const secret of ['cs-123', 'tok-1', 'Basic b64', 'as-456', 'ws-789'])
      expect(text).not.toContain(secret);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'hello', clientSecret: '[redacted]' });
  });

  it('renders console lines with level, message and fields', () => {
    const { lines, destination } = sink();
    createLogger({ level: 'debug', format: 'console', destination }).warn({ taskId: 't1' }, 'slow');
    expect(lines[0]).toMatch(/WRN slow taskId=t1/);
  });

  it('honours the level', () => {
    const { lines, destination } = sink();
    const log = createLogger({ level: 'warn', format: 'json', destination });
    log.info('quiet');
    log.error('loud');
    expect(lines).toHaveLength(1);
  });
});
