import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import {
  annotations,
  BatonError,
  Code,
  toStruct,
  type ConnectorMetadata,
  type Entitlement,
  type Grant,
  type Resource,
  type ResourceType,
} from '../../../src/connector/index.js';
import {
  decodeMessage,
  encodeMessage,
  grpcPackageDefinition,
  grpcServiceDefinition,
  packAny,
  protoRoot,
  toJsonForDisplay,
  typeUrlOf,
  unpackAny,
} from '../../../src/connector/proto.js';

const V2 = 'c1.connector.v2';
const BATON = 'c1.connectorapi.baton.v1';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const roundTrip = <T = Record<string, unknown>>(name: string, obj: object, opts?: { oneofs?: boolean }): T =>
  decodeMessage<T>(name, encodeMessage(name, obj), opts);

/** Top-level (field number, wire type) pairs of an encoded message, in wire order. */
const tags = (name: string, obj: object): [number, number][] => {
  const bytes = encodeMessage(name, obj);
  const out: [number, number][] = [];
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (i < bytes.length) {
    const key = varint();
    const wire = key & 7;
    out.push([Math.floor(key / 8), wire]);
    if (wire === 0) varint();
    else if (wire === 2) {
      const len = varint();
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
  }
  return out;
};

const userType: ResourceType = {
  id: 'user',
  displayName: 'User',
  traits: ['TRAIT_USER'],
  annotations: [annotations.skipEntitlementsAndGrants()],
};

const team: Resource = {
  id: { resourceType: 'team', resource: 'team_1' },
  displayName: 'Data',
  annotations: [annotations.groupTrait({ profile: toStruct({ description: 'the data team' }) })],
};

const user: Resource = {
  id: { resourceType: 'user', resource: 'u_1' },
  parentResourceId: { resourceType: 'account', resource: 'acc' },
  displayName: 'Ada Lovelace',
  description: 'admin',
  annotations: [
    annotations.userTrait({
      emails: [{ address: 'ada@example.com', isPrimary: true }],
      status: { status: 'STATUS_ENABLED' },
      profile: toStruct({ role: 'Account Administrator', invited: false, seats: 0, tags: ['a', 1, null] }),
      accountType: 'ACCOUNT_TYPE_HUMAN',
      login: 'ada@example.com',
      createdAt: { seconds: 1_700_000_000, nanos: 500_000_000 },
      lastLogin: { seconds: 1_700_000_100 },
      structuredName: { givenName: 'Ada', familyName: 'Lovelace' },
    }),
    { '@type': typeUrlOf(`${V2}.ExternalLink`), url: 'https://fivetran.com/dashboard' },
    { '@type': typeUrlOf(`${V2}.V1Identifier`), id: 'old-1' },
  ],
  profile: toStruct({ email: 'ada@example.com', nested: { a: 1.5, b: true } }),
  status: { status: 'RESOURCE_STATUS_ENABLED', details: 'active' },
  createdAt: { seconds: 1_700_000_000 },
};

const membership: Entitlement = {
  resource: team,
  id: 'team:team_1:member',
  displayName: 'Data Member',
  description: 'Member of the Data team',
  grantableTo: [{ id: 'user', displayName: 'User', traits: ['TRAIT_USER'] }],
  annotations: [{ '@type': typeUrlOf(`${V2}.EntitlementImmutable`), sourceId: 'x' }],
  purpose: 'PURPOSE_VALUE_ASSIGNMENT',
  slug: 'member',
};

const grant: Grant = {
  entitlement: membership,
  principal: { id: { resourceType: 'group', resource: 'g_1' } },
  id: 'team:team_1:member:group:g_1',
  annotations: [annotations.grantExpandable(['group:g_1:member'], { shallow: true })],
  sources: { sources: { 'team:team_1:member': { isDirect: true }, 'group:g_1:member': {} } },
};

const metadata: ConnectorMetadata = {
  displayName: 'Fivetran',
  helpUrl: 'https://fivetran.com/docs',
  description: 'Fivetran users, groups, teams and roles',
  capabilities: {
    resourceTypeCapabilities: [
      { resourceType: userType, capabilities: ['CAPABILITY_SYNC', 'CAPABILITY_ACCOUNT_PROVISIONING'] },
      { resourceType: { id: 'team', displayName: 'Team' }, capabilities: ['CAPABILITY_PROVISION'] },
    ],
    connectorCapabilities: ['CAPABILITY_PROVISION', 'CAPABILITY_SYNC', 'CAPABILITY_ACCOUNT_PROVISIONING'],
    credentialDetails: {
      capabilityAccountProvisioning: {
        supportedCredentialOptions: ['CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD'],
        preferredCredentialOption: 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD',
      },
    },
  },
  accountCreationSchema: {
    fieldMap: {
      email: { displayName: 'Email', required: true, order: 1, stringField: {} },
      given_name: { displayName: 'Given name', required: true, order: 2, stringField: { defaultValue: '' } },
      role: {
        displayName: 'Role',
        required: false,
        order: 3,
        placeholder: 'Account Reviewer',
        stringField: { defaultValue: 'Account Reviewer' },
      },
    },
  },
};

describe('protoRoot', () => {
  it('loads every message we use from protos/, with well-known types resolved', () => {
    const root = protoRoot();
    expect(protoRoot()).toBe(root);
    for (const name of [
      `${V2}.ResourceType`,
      `${V2}.UserTrait.StructuredName`,
      `${V2}.RateLimitWaitReport`,
      `${V2}.ConnectorAccountCreationSchema.Field`,
      `${BATON}.Task.CompactSyncs.CompactableSync`,
      `${BATON}.BatonServiceUploadAssetRequest.UploadEOF`,
      'google.rpc.Status',
      'google.protobuf.Struct',
    ]) {
      expect(root.lookupType(name).fullName).toBe(`.${name}`);
    }
    expect(root.lookupService(`${BATON}.BatonService`).methodsArray.map((m) => m.name)).toEqual([
      'Hello',
      'GetTask',
      'GetTasks',
      'Heartbeat',
      'FinishTask',
      'UploadAsset',
      'StartDebugging',
    ]);
  });
});

describe('encodeMessage', () => {
  it('matches the SDK fixture bytes of the user resource type (c1z-format.md §5.1)', () => {
    const bytes = encodeMessage(`${V2}.ResourceType`, userType);
    const typeUrl = 'type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants';
    const expected = Buffer.concat([
      Buffer.from([0x0a, 0x04]),
      Buffer.from('user'),
      Buffer.from([0x12, 0x04]),
      Buffer.from('User'),
      Buffer.from([0x1a, 0x01, 0x01, 0x22, 0x3f, 0x0a, typeUrl.length]),
      Buffer.from(typeUrl),
    ]);
    expect(hex(bytes)).toBe(hex(expected));
  });

  it('is deterministic whatever the key order of objects and maps', () => {
    const a = encodeMessage(`${V2}.Grant`, grant);
    const shuffled = {
      sources: { sources: { 'group:g_1:member': {}, 'team:team_1:member': { isDirect: true } } },
      annotations: grant.annotations,
      id: grant.id,
      principal: grant.principal,
      entitlement: { ...membership, slug: 'member', id: membership.id },
    };
    expect(hex(encodeMessage(`${V2}.Grant`, shuffled))).toBe(hex(a));

    // integer-like keys: JS orders them first, Go sorts map keys byte-wise ("10" < "9" < "a").
    const s1 = encodeMessage('google.protobuf.Struct', {
      fields: { a: { boolValue: true }, 9: { numberValue: 9 }, 10: { numberValue: 10 } },
    });
    const s2 = encodeMessage('google.protobuf.Struct', {
      fields: { 10: { numberValue: 10 }, a: { boolValue: true }, 9: { numberValue: 9 } },
    });
    expect(hex(s1)).toBe(hex(s2));
    const keysOnWire: string[] = [];
    for (const reader = protobuf.Reader.create(s1); reader.pos < reader.len;) {
      reader.uint32(); // tag of Struct.fields (1)
      const entry = protobuf.Reader.create(reader.bytes());
      entry.uint32(); // tag of the entry key (1)
      keysOnWire.push(entry.string());
    }
    expect(keysOnWire).toEqual(['10', '9', 'a']);

    const fieldMap = metadata.accountCreationSchema!.fieldMap;
    const reversed = Object.fromEntries(Object.entries(fieldMap).reverse());
    expect(
      hex(
        encodeMessage(`${V2}.ConnectorMetadata`, {
          ...metadata,
          accountCreationSchema: { fieldMap: reversed },
        }),
      ),
    ).toBe(hex(encodeMessage(`${V2}.ConnectorMetadata`, metadata)));
  });

  it('omits proto3 zero values like Go, but keeps oneof members and optional fields', () => {
    expect(
      encodeMessage(`${V2}.ResourceId`, { resourceType: '', resource: '', batonResource: false }),
    ).toHaveLength(0);
    expect(encodeMessage(`${V2}.Entitlement`, { id: 'e', purpose: 'PURPOSE_VALUE_UNSPECIFIED' })).toEqual(
      encodeMessage(`${V2}.Entitlement`, { id: 'e' }),
    );
    expect(hex(encodeMessage(`${V2}.GrantSources.GrantSource`, { isDirect: false }))).toBe('');
    expect(roundTrip(`${V2}.ResourceId`, { resourceType: '0', resource: '0' })).toEqual({
      resourceType: '0',
      resource: '0',
    });
    expect(hex(encodeMessage(`${V2}.RateLimitWaitReport`, { waitMs: '0' }))).toBe('');
    // Value.kind is a oneof: zero values are still written.
    expect(hex(encodeMessage('google.protobuf.Value', { numberValue: 0 }))).toBe('110000000000000000');
    expect(hex(encodeMessage('google.protobuf.Value', { nullValue: 'NULL_VALUE' }))).toBe('0800');
    // proto3 optional: an explicit empty default is present on the wire.
    expect(hex(encodeMessage(`${V2}.ConnectorAccountCreationSchema.StringField`, { defaultValue: '' }))).toBe(
      '0a00',
    );
    expect(hex(encodeMessage(`${V2}.ConnectorAccountCreationSchema.StringField`, {}))).toBe('');
  });

  it('writes the field numbers of the critical messages', () => {
    // Grant: sources (5) is declared before annotations (4) but goes out in number order.
    expect(tags(`${V2}.Grant`, grant)).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
      [4, 2],
      [5, 2],
    ]);
    expect(tags(`${V2}.Resource`, user).map(([n]) => n)).toEqual([1, 2, 3, 4, 4, 4, 5, 9, 11, 12]);
    expect(tags(`${V2}.Entitlement`, membership).map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(tags(`${V2}.ConnectorMetadata`, metadata).map(([n]) => n)).toEqual([1, 2, 7, 8, 9]);
    expect(tags(`${BATON}.Task`, { id: 't', syncFull: {}, debug: true })).toEqual([
      [1, 2],
      [3, 0],
      [102, 2],
    ]);
    expect(
      tags(`${BATON}.BatonServiceFinishTaskRequest`, {
        hostId: 'h',
        taskId: 't',
        status: { code: 2, message: 'boom' },
        error: { nonRetryable: true },
      }),
    ).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
      [100, 2],
    ]);
    expect(hex(encodeMessage(`${BATON}.BatonServiceFinishTaskRequest`, { success: {} }))).toBe('aa0600');
    expect(
      tags(`${BATON}.BatonServiceUploadAssetRequest`, { eof: { sha256Checksum: Buffer.alloc(32) } }),
    ).toEqual([[102, 2]]);
    expect(
      tags(`${BATON}.BatonServiceHelloRequest`, {
        hostId: 'h',
        buildInfo: { langVersion: 'node', package: 'p', packageVersion: '1' },
        osInfo: { hostname: 'x' },
        connectorMetadata: { displayName: 'Fivetran' },
      }).map(([n]) => n),
    ).toEqual([1, 3, 4, 5]);
    expect(tags(`${V2}.CreateAccountResponse`, { success: { isCreateAccountResult: true } })).toEqual([
      [100, 2],
    ]);
    expect(
      tags(`${V2}.RateLimitDescription`, { status: 'STATUS_OK', limit: 5, resetAt: { seconds: 1 } }),
    ).toEqual([
      [1, 0],
      [2, 0],
      [4, 2],
    ]);
  });

  it('rejects unknown messages, unknown enum names and several oneof members', () => {
    const err = (f: () => unknown): BatonError => {
      try {
        f();
      } catch (e) {
        return e as BatonError;
      }
      throw new Error('expected a throw');
    };
    const unknown = err(() => encodeMessage(`${V2}.NoSuchThing`, {}));
    expect(unknown).toBeInstanceOf(BatonError);
    expect(unknown.message).toBe('baton-fivetran: unknown protobuf message c1.connector.v2.NoSuchThing');
    const badEnum = err(() => encodeMessage(`${V2}.ResourceType`, { id: 'x', traits: ['TRAIT_USERS'] }));
    expect(badEnum.code).toBe(Code.INVALID_ARGUMENT);
    expect(badEnum.message).toContain('TRAIT_USERS is not a value of c1.connector.v2.ResourceType.Trait');
    const twoOneofs = err(() => encodeMessage(`${BATON}.Task`, { hello: {}, syncFull: {} }));
    expect(twoOneofs.message).toContain('c1.connectorapi.baton.v1.Task.taskType has several members set');
    const unknownAny = err(() =>
      encodeMessage(`${V2}.Resource`, { annotations: [{ '@type': 'type.googleapis.com/x.Y' }] }),
    );
    expect(unknownAny.message).toBe(
      'baton-fivetran: cannot pack unknown message type type.googleapis.com/x.Y',
    );
  });
});

describe('decodeMessage', () => {
  it('round-trips the sync records', () => {
    expect(roundTrip(`${V2}.ResourceType`, userType)).toEqual(userType);
    expect(roundTrip(`${V2}.Resource`, user)).toEqual(user);
    expect(roundTrip(`${V2}.Entitlement`, membership)).toEqual(membership);
    expect(roundTrip(`${V2}.Grant`, grant)).toEqual(grant);
    const expandable = decodeMessage<Grant>(`${V2}.Grant`, encodeMessage(`${V2}.Grant`, grant))
      .annotations![0]!;
    expect(expandable).toEqual({
      '@type': 'type.googleapis.com/c1.connector.v2.GrantExpandable',
      entitlementIds: ['group:g_1:member'],
      shallow: true,
    });
  });

  it('drops zero values and keeps struct zeros, lists and nulls', () => {
    const decoded = roundTrip(`${V2}.Resource`, {
      id: { resourceType: 'user', resource: 'u' },
      displayName: '',
      profile: toStruct({ n: 0, s: '', b: false, z: null, l: [] }),
    });
    expect(decoded).toEqual({
      id: { resourceType: 'user', resource: 'u' },
      profile: {
        fields: {
          b: { boolValue: false },
          l: { listValue: {} },
          n: { numberValue: 0 },
          s: { stringValue: '' },
          z: { nullValue: 'NULL_VALUE' },
        },
      },
    });
  });

  it('round-trips connector metadata with capabilities and the account creation schema', () => {
    const decoded = roundTrip(`${V2}.ConnectorMetadata`, metadata, { oneofs: false });
    // proto3 has no presence for plain scalars: `required: false` is not on the wire, so it decodes as absent.
    const { required, ...role } = metadata.accountCreationSchema!.fieldMap.role!;
    expect(required).toBe(false);
    const fieldMap = { ...metadata.accountCreationSchema!.fieldMap, role };
    expect(decoded).toEqual({ ...metadata, accountCreationSchema: { fieldMap } });
    const withOneofs = roundTrip<ConnectorMetadata>(`${V2}.ConnectorMetadata`, metadata);
    expect(withOneofs.accountCreationSchema!.fieldMap.role).toEqual({
      ...role,
      field: 'stringField',
    });
    // the synthetic oneof of `optional string default_value` never shows up
    expect(Object.keys(withOneofs.accountCreationSchema!.fieldMap.email!.stringField!)).toEqual([]);
  });

  it('round-trips provisioning responses', () => {
    const created = { success: { resource: user, isCreateAccountResult: true }, annotations: [] };
    expect(roundTrip(`${V2}.CreateAccountResponse`, created)).toEqual({
      success: { resource: user, isCreateAccountResult: true },
      result: 'success',
    });
    const actionRequired = { actionRequired: { resource: user, message: 'accept the invite' } };
    expect(roundTrip(`${V2}.CreateAccountResponse`, actionRequired, { oneofs: false })).toEqual(
      actionRequired,
    );
    const granted = { annotations: [annotations.grantAlreadyExists()], grants: [grant] };
    expect(roundTrip(`${V2}.GrantManagerServiceGrantResponse`, granted)).toEqual(granted);
    const revoked = { annotations: [annotations.grantAlreadyRevoked()] };
    expect(roundTrip(`${V2}.GrantManagerServiceRevokeResponse`, revoked)).toEqual(revoked);
    const deleted = { annotations: [annotations.resourceDoesNotExist()] };
    expect(roundTrip(`${V2}.DeleteResourceResponse`, deleted)).toEqual(deleted);
    expect(roundTrip(`${V2}.CreateResourceResponse`, { created: team })).toEqual({ created: team });
  });

  it('decodes each task type we handle, with the task_type oneof name', () => {
    const accountInfo = {
      emails: [{ address: 'new@example.com', isPrimary: true }],
      login: 'new@example.com',
      profile: toStruct({ email: 'new@example.com', role: 'Account Reviewer' }),
    };
    const payloads: Record<string, object> = {
      hello: {},
      syncFull: {
        skipExpandGrants: true,
        targetedSyncResources: [team],
        syncResourceTypeIds: ['user'],
        storageEngine: 'sqlite',
      },
      grant: { entitlement: membership, principal: user, duration: { seconds: 3600 } },
      revoke: { grant },
      createAccount: {
        accountInfo,
        credentialOptions: { noPassword: {} },
        encryptionConfigs: [{ provider: 'baton/jwk/v1', jwkPublicKeyConfig: { pubKey: Buffer.from('k') } }],
        resourceTypeId: 'user',
      },
      createResource: { resource: team },
      deleteResource: { resourceId: user.id, parentResourceId: user.parentResourceId },
      none: {},
    };
    for (const [kind, payload] of Object.entries(payloads)) {
      const task = {
        id: '2cXkHpV6Zb4eGzA8yTnqWvR1s3D',
        status: 'STATUS_RUNNING',
        [kind]: payload,
        debug: true,
      };
      const decoded = roundTrip(`${BATON}.BatonServiceGetTaskResponse`, {
        task,
        nextPoll: { seconds: 5 },
        nextHeartbeat: { seconds: 30, nanos: 1000 },
      }) as { task: Record<string, unknown>; nextPoll: object; nextHeartbeat: object };
      expect(decoded.task.taskType).toBe(kind);
      expect(decoded.task[kind]).toEqual(
        kind === 'createAccount'
          ? {
              ...payload,
              credentialOptions: { noPassword: {}, options: 'noPassword' },
              encryptionConfigs: [
                {
                  provider: 'baton/jwk/v1',
                  jwkPublicKeyConfig: { pubKey: Buffer.from('k') },
                  config: 'jwkPublicKeyConfig',
                },
              ],
            }
          : payload,
      );
      expect(decoded.nextHeartbeat).toEqual({ seconds: 30, nanos: 1000 });
    }
  });

  it('expands nested Any values and keeps unknown ones as bytes', () => {
    const response = packAny(`${V2}.GrantManagerServiceGrantResponse`, {
      annotations: [annotations.rateLimitDescription({ status: 'STATUS_OK', limit: 2 ** 40, remaining: 7 })],
      grants: [grant],
    });
    const success = {
      hostId: 'host',
      taskId: '2cXkHpV6Zb4eGzA8yTnqWvR1s3D',
      success: {
        annotations: [{ '@type': 'type.googleapis.com/acme.Unknown', value: Buffer.from([1, 2, 3]) }],
        response: { typeUrl: response.typeUrl, value: response.value },
      },
    };
    const decoded = roundTrip(`${BATON}.BatonServiceFinishTaskRequest`, success, { oneofs: false }) as {
      success: { annotations: object[]; response: Record<string, unknown> };
    };
    expect(decoded.success.annotations).toEqual([
      { '@type': 'type.googleapis.com/acme.Unknown', value: Buffer.from([1, 2, 3]) },
    ]);
    expect(decoded.success.response).toEqual({
      '@type': 'type.googleapis.com/c1.connector.v2.GrantManagerServiceGrantResponse',
      annotations: [
        {
          '@type': 'type.googleapis.com/c1.connector.v2.RateLimitDescription',
          status: 'STATUS_OK',
          limit: 2 ** 40,
          remaining: 7,
        },
      ],
      grants: [grant],
    });
    // packing from the model shape gives the same bytes as packing by hand
    const viaModel = { ...success, success: { ...success.success, response: unpackAny(response) } };
    expect(hex(encodeMessage(`${BATON}.BatonServiceFinishTaskRequest`, viaModel))).toBe(
      hex(encodeMessage(`${BATON}.BatonServiceFinishTaskRequest`, success)),
    );
  });

  it('round-trips a FinishTask error with a google.rpc.Status', () => {
    const failed = {
      hostId: 'host',
      taskId: '2cXkHpV6Zb4eGzA8yTnqWvR1s3D',
      status: {
        code: 9,
        message: 'rpc error: code = FailedPrecondition desc = provisioning is not enabled',
        details: [{ '@type': typeUrlOf(`${V2}.RateLimitWaitReport`), waitMs: 1500 }],
      },
      error: { nonRetryable: true, annotations: [] },
    };
    expect(roundTrip(`${BATON}.BatonServiceFinishTaskRequest`, failed)).toEqual({
      ...failed,
      error: { nonRetryable: true },
      finalState: 'error',
    });
  });

  it('reports corrupt bytes as an invalid-argument BatonError naming the message', () => {
    const corrupt = Buffer.from([0x0a, 0x10, 0x01]); // field 1 claims 16 bytes, 1 follows
    expect(() => decodeMessage(`${V2}.Resource`, corrupt)).toThrow(
      expect.objectContaining({
        code: Code.INVALID_ARGUMENT,
        message: expect.stringMatching(/^baton-fivetran: cannot decode c1\.connector\.v2\.Resource: /),
      }),
    );
  });

  it('round-trips upload frames, keeping bytes as bytes', () => {
    const eof = { eof: { sha256Checksum: Buffer.alloc(32, 0xab) } };
    const decoded = roundTrip(`${BATON}.BatonServiceUploadAssetRequest`, eof, {
      oneofs: false,
    }) as typeof eof;
    expect(Buffer.isBuffer(decoded.eof.sha256Checksum)).toBe(true);
    expect(decoded).toEqual(eof);
  });
});

describe('toJsonForDisplay', () => {
  it('prints capabilities the way the SDK capabilities command does', () => {
    const json = toJsonForDisplay(`${V2}.ConnectorCapabilities`, metadata.capabilities!, { asAny: true });
    expect(
      json.startsWith('{\n  "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",\n'),
    ).toBe(true);
    expect(JSON.parse(json)).toEqual({
      '@type': 'type.googleapis.com/c1.connector.v2.ConnectorCapabilities',
      resourceTypeCapabilities: [
        {
          resourceType: {
            id: 'user',
            displayName: 'User',
            traits: ['TRAIT_USER'],
            annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants' }],
          },
          capabilities: ['CAPABILITY_SYNC', 'CAPABILITY_ACCOUNT_PROVISIONING'],
        },
        { resourceType: { id: 'team', displayName: 'Team' }, capabilities: ['CAPABILITY_PROVISION'] },
      ],
      connectorCapabilities: ['CAPABILITY_PROVISION', 'CAPABILITY_SYNC', 'CAPABILITY_ACCOUNT_PROVISIONING'],
      credentialDetails: {
        capabilityAccountProvisioning: {
          supportedCredentialOptions: ['CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD'],
          preferredCredentialOption: 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD',
        },
      },
    });
  });

  it('uses the protojson forms of well-known types and 64-bit integers', () => {
    const json = JSON.parse(toJsonForDisplay(`${V2}.Resource`, user));
    expect(json.createdAt).toBe('2023-11-14T22:13:20Z');
    expect(json.profile).toEqual({ email: 'ada@example.com', nested: { a: 1.5, b: true } });
    expect(json.annotations[0].createdAt).toBe('2023-11-14T22:13:20.500Z');
    expect(json.annotations[0].profile.tags).toEqual(['a', 1, null]);
    expect(Object.keys(json)).toEqual([
      'id',
      'parentResourceId',
      'displayName',
      'annotations',
      'description',
      'profile',
      'status',
      'createdAt',
    ]);
    const limits = JSON.parse(
      toJsonForDisplay(`${V2}.RateLimitDescription`, {
        status: 'STATUS_OVERLIMIT',
        limit: 100,
        resetAt: { seconds: 0, nanos: 1 },
      }),
    );
    expect(limits).toEqual({
      status: 'STATUS_OVERLIMIT',
      limit: '100',
      resetAt: '1970-01-01T00:00:00.000000001Z',
    });
    expect(JSON.parse(toJsonForDisplay('google.protobuf.Duration', { seconds: 1, nanos: 500_000_000 }))).toBe(
      '1.500s',
    );
  });
});

describe('gRPC definitions', () => {
  it('serves and calls BatonService over loopback with the model shape', async () => {
    const service = grpcServiceDefinition(`${BATON}.BatonService`);
    expect(service.UploadAsset!.requestStream).toBe(true);
    expect(service.GetTask!.path).toBe('/c1.connectorapi.baton.v1.BatonService/GetTask');
    const seen: unknown[] = [];
    const server = new grpc.Server();
    server.addService(service, {
      GetTask: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        seen.push(call.request);
        cb(null, { task: { id: 'T1', revoke: { grant } }, nextPoll: { seconds: 2 } });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('localhost:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const Client = grpc.makeClientConstructor(service, 'BatonService');
    const client = new Client(
      `localhost:${port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & {
      GetTask: (req: object, cb: (e: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;
    };
    try {
      const res = await new Promise<Record<string, unknown>>((resolve, reject) =>
        client.GetTask({ hostId: 'host-1' }, (e, r) => (e ? reject(e) : resolve(r))),
      );
      expect(seen).toEqual([{ hostId: 'host-1' }]);
      expect(res).toEqual({
        task: { id: 'T1', revoke: { grant }, taskType: 'revoke' },
        nextPoll: { seconds: 2 },
      });
    } finally {
      client.close();
      server.forceShutdown();
    }
  });

  it('builds a proto-loader package definition from the same root, with our codec', () => {
    const def = grpcPackageDefinition();
    const baton = def[`${BATON}.BatonService`] as grpc.ServiceDefinition;
    expect(Object.keys(baton)).toEqual(Object.keys(grpcServiceDefinition(`${BATON}.BatonService`)));
    const req = {
      hostId: 'h',
      taskId: 't',
      success: { response: unpackAny(packAny(`${V2}.DeleteResourceResponse`, {})) },
    };
    const wire = baton.FinishTask!.requestSerialize(req);
    expect(hex(wire)).toBe(hex(encodeMessage(`${BATON}.BatonServiceFinishTaskRequest`, req)));
    expect(def[`${V2}.Grant`]).toHaveProperty('format', 'Protocol Buffer 3 DescriptorProto');
    const loaded = grpc.loadPackageDefinition(def) as unknown as {
      c1: { connectorapi: { baton: { v1: object } } };
    };
    expect(loaded.c1.connectorapi.baton.v1).toHaveProperty('BatonService');
  });
});
