import { ConnectorRegistry } from '../../../src/connector/index.js';
import type { FakeFivetran } from '../../fakes/fivetran/index.js';
import { connectorFor, drain, signal, useFakeFivetran } from './support.js';

describe('createFivetranConnector', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f));

  it('validates a user key and reports the account and the key owner', async () => {
    const { connector } = connectorFor(fake, 'admin');
    await expect(connector.validate({ signal: signal() })).resolves.toEqual({
      details: {
        accountId: fake.dataset.accountId,
        accountName: fake.dataset.accountName,
        keyKind: 'user',
        keyOwnerUserId: fake.dataset.adminUserId,
      },
    });
    expect(fake.requests[0]).toMatchObject({ path: '/v1/account/info', userAgent: 'baton-fivetran/1.2.3' });
  });

  it('validates a system key and reports no key owner', async () => {
    const { connector } = connectorFor(fake, 'system');
    const { details } = await connector.validate({ signal: signal() });
    expect(details).toMatchObject({ keyKind: 'system' });
    expect(details?.keyOwnerUserId).toBeUndefined();
  });

  it('fails validation with UNAUTHENTICATED for a wrong secret, naming no secret', async () => {
    const { connector, sink } = connectorFor(fake, 'admin', { apiSecret: 'wrong-secret-abcdef' });
    const err = await connector.validate({ signal: signal() }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 16 });
    expect(String((err as Error).message)).not.toContain('wrong-secret-abcdef');
    expect(sink.text()).not.toContain('wrong-secret-abcdef');
  });

  it('fetches the role catalogue once per sync and again after the cache expires', async () => {
    const { connector, clock } = connectorFor(fake);
    const reg = new ConnectorRegistry(connector);
    const req = (pageToken?: string) => ({ pageToken, pageSize: 0, signal: signal() });
    const syncAll = async () => {
      for (const type of ['user', 'group', 'team', 'role']) {
        const { items } = await drain((t) => reg.syncer(type).list(undefined, req(t)));
        for (const r of items.slice(0, 2)) {
          await drain((t) => reg.syncer(type).entitlements(r, req(t)));
          if (type !== 'user' && type !== 'role') await drain((t) => reg.syncer(type).grants(r, req(t)));
        }
      }
      await drain((t) => reg.syncer('role').typeGrants!(req(t)));
    };
    await syncAll();
    expect(fake.requestCount({ pathPrefix: '/roles' })).toBe(1);
    clock.nowMs += 30_000;
    await syncAll();
    expect(fake.requestCount({ pathPrefix: '/roles' })).toBe(1);
    clock.nowMs += 11 * 60_000;
    await syncAll();
    expect(fake.requestCount({ pathPrefix: '/roles' })).toBe(2);
  });

  it('attaches the quota as a RateLimitDescription annotation on pages', async () => {
    const { connector } = connectorFor(fake);
    const reg = new ConnectorRegistry(connector);
    const page = await reg.syncer('team').list(undefined, { pageSize: 0, signal: signal() });
    expect(page.annotations).toEqual([
      {
        '@type': 'type.googleapis.com/c1.connector.v2.RateLimitDescription',
        status: 'STATUS_OK',
        limit: 20_000,
        remaining: expect.any(Number),
      },
    ]);
  });
});
