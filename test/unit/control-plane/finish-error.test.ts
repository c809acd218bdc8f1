import { BatonError, Code, invalidArgument, unavailable } from '../../../src/connector/index.js';
import { toFinishError } from '../../../src/control-plane/finish-error.js';
import { HeartbeatFailedError, TaskCancelledError } from '../../../src/control-plane/heartbeater.js';
import { GracePeriodExpiredError } from '../../../src/control-plane/task-loop.js';

const aborted = () => {
  const ac = new AbortController();
  ac.abort();
  return ac.signal.reason as unknown;
};

describe('toFinishError', () => {
  it.each<[string, unknown, boolean, { code: number; message: string; nonRetryable: boolean }]>([
    [
      'a BatonError keeps its code and message',
      invalidArgument('bad field'),
      true,
      { code: 3, message: 'bad field', nonRetryable: true },
    ],
    [
      'a retryable BatonError follows the verdict',
      unavailable('503'),
      false,
      { code: 14, message: '503', nonRetryable: false },
    ],
    [
      'a BatonError with an unlisted code',
      new BatonError(Code.ABORTED, 'conflict', false),
      true,
      { code: 10, message: 'conflict', nonRetryable: true },
    ],
    [
      'a heartbeat failure is CANCELLED, retryable',
      new HeartbeatFailedError('9 heartbeats failed'),
      true,
      { code: 1, message: '9 heartbeats failed', nonRetryable: false },
    ],
    [
      'a server cancel is CANCELLED, retryable',
      new TaskCancelledError('cancelled'),
      true,
      { code: 1, message: 'cancelled', nonRetryable: false },
    ],
    [
      'the grace period end is CANCELLED, retryable',
      new GracePeriodExpiredError(5000),
      true,
      {
        code: 1,
        message: 'baton-fivetran: shutting down, task cancelled after the 5000 ms grace period',
        nonRetryable: false,
      },
    ],
    [
      'a DOM AbortError is CANCELLED',
      aborted(),
      true,
      { code: 1, message: 'This operation was aborted', nonRetryable: false },
    ],
    [
      'a TimeoutError is CANCELLED',
      new DOMException('timed out', 'TimeoutError'),
      false,
      { code: 1, message: 'timed out', nonRetryable: false },
    ],
    ['a plain Error is UNKNOWN', new Error('boom'), false, { code: 2, message: 'boom', nonRetryable: false }],
    [
      'a plain Error keeps the verdict',
      new Error('boom'),
      true,
      { code: 2, message: 'boom', nonRetryable: true },
    ],
    ['a thrown string is UNKNOWN', 'oops', false, { code: 2, message: 'oops', nonRetryable: false }],
    ['undefined is UNKNOWN', undefined, false, { code: 2, message: 'unknown error', nonRetryable: false }],
  ])('%s', (_name, err, nonRetryable, want) => {
    expect(toFinishError(err, { nonRetryable })).toEqual({
      kind: 'error',
      status: { code: want.code, message: want.message },
      nonRetryable: want.nonRetryable,
    });
  });
});
