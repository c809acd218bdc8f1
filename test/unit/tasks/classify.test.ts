import { cancelled, internal, invalidArgument, unavailable } from '../../../src/connector/index.js';
import { classify as classifyCreateAccount } from '../../../src/tasks/create-account.js';
import { classify as classifyDelete } from '../../../src/tasks/delete-resource.js';
import { classify as classifySync } from '../../../src/tasks/full-sync.js';
import { classify as classifyGrant } from '../../../src/tasks/grant.js';
import { classify as classifyHello } from '../../../src/tasks/hello.js';
import { classify as classifyRevoke } from '../../../src/tasks/revoke.js';
import { readSyncOptions } from '../../../src/tasks/full-sync.js';

const malformedSync = (() => {
  try {
    readSyncOptions({ syncResourceTypeIds: 'not-a-list' });
  } catch (err) {
    return err;
  }
  throw new Error('readSyncOptions accepted a malformed payload');
})();

// non_retryable per control-plane.md §4.8
describe.each([
  ['grant', classifyGrant, true],
  ['revoke', classifyRevoke, true],
  ['create_account', classifyCreateAccount, true],
  ['delete_resource', classifyDelete, true],
])('%s classify', (_name, classify, connectorErrorsAreFinal) => {
  it.each([
    ['a malformed task', invalidArgument('malformed')],
    ['a retryable connector error', unavailable('503')],
    ['a plain Error', new Error('boom')],
    ['a cancelled connector call', cancelled('stopped')],
  ])('treats %s as non_retryable=%s', (_what, err) => {
    expect(classify(err)).toBe(connectorErrorsAreFinal);
  });
});

describe('sync_full classify', () => {
  it.each([
    ['a connector error', unavailable('503'), false],
    ['an internal error', internal('disk full'), false],
    ['a plain Error', new Error('boom'), false],
    ['a string', 'boom', false],
    ['an INVALID_ARGUMENT from the connector', invalidArgument('bad role'), false],
    ['a payload refused before any I/O', malformedSync, true],
  ])('treats %s as non_retryable=%s', (_what, err, expected) => {
    expect(classifySync(err)).toBe(expected);
  });
});

describe('hello classify', () => {
  it('never marks anything final (hello tasks are never finished)', () => {
    expect(classifyHello(new Error('x'))).toBe(false);
  });
});
