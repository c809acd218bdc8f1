import {
  ConnectorRegistry,
  entitlementId,
  grantId,
  type Connector,
  type ResourceSyncer,
} from '../../../src/connector/index.js';

const syncer = (id: string, extra: object = {}): ResourceSyncer => ({
  resourceType: { id, displayName: id },
  list: async () => ({ items: [] }),
  entitlements: async () => ({ items: [] }),
  grants: async () => ({ items: [] }),
  ...extra,
});

const connector = (syncers: ResourceSyncer[]): Connector => ({
  metadata: () => ({ displayName: 'Test' }),
  validate: async () => ({}),
  resourceSyncers: () => syncers,
});

describe('ConnectorRegistry', () => {
  it('derives capabilities from the registered abilities, sorted by type id', () => {
    const reg = new ConnectorRegistry(
      connector([
        syncer('user', {
          createAccount: async () => ({ kind: 'success' }),
          deleteResource: async () => ({}),
          credentialOptions: {
            supported: ['CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD'],
            preferred: 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD',
          },
        }),
        syncer('team', { grant: async () => ({}), revoke: async () => ({}) }),
      ]),
    );
    const caps = reg.capabilities();
    expect(caps.resourceTypeCapabilities.map((c) => [c.resourceType.id, c.capabilities])).toEqual([
      ['team', ['CAPABILITY_SYNC', 'CAPABILITY_PROVISION']],
      ['user', ['CAPABILITY_SYNC', 'CAPABILITY_ACCOUNT_PROVISIONING', 'CAPABILITY_RESOURCE_DELETE']],
    ]);
    expect(caps.connectorCapabilities).toEqual([
      'CAPABILITY_PROVISION',
      'CAPABILITY_SYNC',
      'CAPABILITY_ACCOUNT_PROVISIONING',
      'CAPABILITY_RESOURCE_DELETE',
    ]);
    expect(reg.defaultAccountManagerType()).toBe('user');
  });

  it('rejects duplicate resource types and answers unknown types with NOT_FOUND', () => {
    expect(() => new ConnectorRegistry(connector([syncer('a'), syncer('a')]))).toThrow(/duplicate/);
    const reg = new ConnectorRegistry(connector([syncer('a')]));
    expect(() => reg.syncer('b')).toThrow(expect.objectContaining({ code: 5 }));
    expect(() => reg.provisioner('a')).toThrow(expect.objectContaining({ code: 12 }));
  });

  it('builds standard ids with raw colon joins', () => {
    const e = entitlementId({ resourceType: 'group', resource: 'g1' }, 'Manage Destination');
    expect(e).toBe('group:g1:Manage Destination');
    expect(grantId(e, { resourceType: 'user', resource: 'u1' })).toBe('group:g1:Manage Destination:user:u1');
  });
});
