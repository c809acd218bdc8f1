import { ConfigError, parseResourceBid } from '../../../src/config/index.js';
import { load } from './support.js';

describe('--sync-resources', () => {
  it('takes comma-separated Baton resource ids, from the flag or BATON_SYNC_RESOURCES', () => {
    const c = load(['--sync-resources', 'bid:r:team/t1, bid:r:group/g1/connection/c\\:2']);
    expect(c.sync.targetedResources).toEqual([
      { id: { resourceType: 'team', resource: 't1' } },
      {
        id: { resourceType: 'connection', resource: 'c:2' },
        parentResourceId: { resourceType: 'group', resource: 'g1' },
      },
    ]);
    const fromEnv = load([], { BATON_SYNC_RESOURCES: 'bid:r:user/u1' });
    expect(fromEnv.sync.targetedResources).toEqual([{ id: { resourceType: 'user', resource: 'u1' } }]);
    expect(load([]).sync.targetedResources).toEqual([]);
  });

  it('reads escapes as baton-sdk pkg/bid writes them', () => {
    expect(parseResourceBid('bid:r:role/Account\\/Admin\\\\x')).toEqual({
      id: { resourceType: 'role', resource: 'Account/Admin\\x' },
    });
  });

  it.each([
    ['team:t1', /does not start with bid:r:/],
    ['bid:e:team/t1:member', /does not start with bid:r:/],
    ['bid:r:team', /is not bid:r:<type>\/<id>/],
    ['bid:r:team/', /is not bid:r:<type>\/<id>/],
    ['bid:r:a/b/c', /is not bid:r:<type>\/<id>/],
    ['bid:r:team/t1:member', /unescaped ':'/],
    ['bid:r:team/t\\1', /bad escape/],
  ])('refuses %s, naming the setting', (value, why) => {
    let err: unknown;
    try {
      load(['--sync-resources', value]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^invalid --sync-resources \(\$BATON_SYNC_RESOURCES\): /);
    expect((err as Error).message).toMatch(why);
  });
});
