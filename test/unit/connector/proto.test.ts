import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { grpcPackageDefinition, grpcServiceDefinition } from '../../../src/control-plane/grpc-definitions.js';
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
  EncodeMemo,
  encodeMessage,
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

// ---- golden corpus ------------------------------------------------------------------------------------
// Bytes captured from the original toWire -> fromObject -> encode implementation, before the single-pass
// encoder replaced it: any change here is a change of the wire output.

const golden = (() => {
  const numericKeys = {
    '10': 'ten',
    '2': 'two',
    b: 'bee',
    a: 'ay',
    A: 'cap',
    '': 'empty',
    é: 'e-acute',
    '0': 0,
    '-1': -1,
    '01': 'zero-one',
    '4294967295': 'max',
    '4294967294': 'idx',
    '1.5': 1.5,
    z: { '3': true, '20': false, x: null },
  };
  const profile = toStruct({
    ...numericKeys,
    nested: {
      '9': [1, 'two', null, { '100': 'c', '11': 'd', k: [] }],
      inner: { deep: { '7': 7, '07': '07' } },
    },
    list: [[1, 2], [], ['x', { '2': 2, '1': 1 }], 0, '', false],
    zero: 0,
    emptyString: '',
    no: false,
    nothing: null,
    neg: -3.25,
    big: 1e21,
  });
  const userTrait = annotations.userTrait({
    emails: [
      { address: 'ada@example.com', isPrimary: true },
      { address: 'ada2@example.com', isPrimary: false },
    ],
    status: { status: 'STATUS_ENABLED', details: '' },
    profile,
    accountType: 'ACCOUNT_TYPE_HUMAN',
    login: 'ada',
    createdAt: { seconds: 1_700_000_000, nanos: 500_000_000 },
    lastLogin: { seconds: 1_700_000_100, nanos: 0 },
    structuredName: { givenName: 'Ada', familyName: 'Lovelace' },
  });
  const user = {
    id: { resourceType: 'user', resource: 'u_1' },
    parentResourceId: { resourceType: 'account', resource: 'acc' },
    displayName: 'Ada Lovelace',
    description: '',
    annotations: [
      userTrait,
      { '@type': typeUrlOf(`${V2}.ExternalLink`), url: 'https://fivetran.com/dashboard' },
      { '@type': typeUrlOf(`${V2}.V1Identifier`), id: 'old-1' },
      { '@type': 'type.googleapis.com/other.pkg.Unknown', value: new Uint8Array([8, 1, 18, 1, 65]) },
      { typeUrl: 'type.googleapis.com/other.pkg.Packed', value: new Uint8Array([10, 0]) },
    ],
    profile: toStruct({ '2': { '10': 1, '9': 2 }, '1': 'one', email: 'ada@example.com' }),
    status: { status: 'RESOURCE_STATUS_ENABLED', details: 'active' },
    createdAt: { seconds: 1_700_000_000 },
  };
  const team = {
    id: { resourceType: 'team', resource: 'team_1' },
    displayName: 'Data',
    annotations: [
      annotations.groupTrait({
        profile: toStruct({ description: 'the data team', '3': 3, '1': [{ '5': 5, '4': 4 }] }),
      }),
      { '@type': typeUrlOf(`${V2}.GroupTrait`) },
      annotations.skipEntitlementsAndGrants(),
    ],
  };
  const userType = {
    id: 'user',
    displayName: 'User',
    traits: ['TRAIT_USER'],
    annotations: [annotations.skipEntitlementsAndGrants()],
    description: '',
  };
  const entitlement = {
    resource: team,
    id: 'team:team_1:member',
    displayName: 'Data Member',
    description: 'Member of the Data team',
    grantableTo: [userType, { id: 'group', displayName: 'Group', traits: ['TRAIT_GROUP'] }],
    annotations: [{ '@type': typeUrlOf(`${V2}.EntitlementImmutable`), sourceId: 'x' }],
    purpose: 'PURPOSE_VALUE_ASSIGNMENT',
    slug: 'member',
  };
  const grant = {
    entitlement,
    principal: user,
    id: 'team:team_1:member:user:u_1',
    annotations: [
      annotations.grantExpandable(['group:g_1:member', 'team:2:member'], { shallow: true }),
      { '@type': typeUrlOf(`${V2}.GrantImmutable`), sourceId: 'src' },
    ],
    sources: {
      sources: {
        'team:team_1:member': { isDirect: true },
        'group:g_1:member': {},
        '12': { isDirect: true },
        '3': {},
        Zed: { isDirect: false },
      },
    },
  };
  const grantNoSources = {
    entitlement: { resource: team, id: 'e' },
    principal: { id: { resourceType: 'group', resource: 'g_1' } },
    id: 'g2',
    sources: { sources: {} },
  };
  const metadata = {
    displayName: 'Fivetran',
    helpUrl: 'https://fivetran.com/docs',
    description: 'Fivetran users, groups, teams and roles',
    profile: toStruct({ '20': 'x', '3': 'y' }),
    capabilities: {
      resourceTypeCapabilities: [
        { resourceType: userType, capabilities: ['CAPABILITY_SYNC', 'CAPABILITY_ACCOUNT_PROVISIONING'] },
        {
          resourceType: { id: 'team', displayName: 'Team' },
          capabilities: ['CAPABILITY_PROVISION'],
          permissions: { permissions: [{ permission: 'p' }] },
        },
      ],
      connectorCapabilities: ['CAPABILITY_PROVISION', 'CAPABILITY_SYNC', 'CAPABILITY_ACCOUNT_PROVISIONING'],
      credentialDetails: {
        capabilityAccountProvisioning: {
          supportedCredentialOptions: [
            'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD',
            'CAPABILITY_DETAIL_CREDENTIAL_OPTION_UNSPECIFIED',
          ],
          preferredCredentialOption: 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD',
        },
      },
    },
    accountCreationSchema: {
      fieldMap: {
        email: { displayName: 'Email', required: true, order: 1, stringField: {} },
        given_name: {
          displayName: 'Given name',
          required: true,
          order: 2,
          stringField: { defaultValue: '' },
        },
        '10': { displayName: 'Ten', order: 0, intField: { defaultValue: 0 } },
        '9': { displayName: 'Nine', boolField: { defaultValue: false } },
        list: { displayName: 'List', stringListField: { defaultValue: ['b', 'a', ''] } },
        nested: {
          displayName: 'Map',
          mapField: {
            defaultValue: {
              '2': { displayName: 'two', stringField: { defaultValue: 'v' } },
              '11': { displayName: 'eleven', boolField: {} },
              b: { displayName: 'b', intField: { defaultValue: -5 } },
            },
          },
        },
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
  const finish = {
    hostId: 'h',
    taskId: 't',
    success: {
      annotations: [
        {
          '@type': typeUrlOf(`${V2}.RateLimitDescription`),
          status: 'STATUS_OK',
          limit: '1000',
          remaining: 0,
          resetAt: { seconds: 1_700_000_000, nanos: 1 },
        },
      ],
      response: {
        '@type': typeUrlOf(`${V2}.CreateAccountResponse`),
        success: { resource: user, isCreateAccountResult: true },
        annotations: [{ '@type': typeUrlOf(`${V2}.RateLimitWaitReport`), waitMs: 1234567890123 }],
      },
    },
  };
  const finishError = {
    hostId: 'h',
    taskId: 't2',
    status: {
      code: 13,
      message: 'boom',
      details: [{ '@type': typeUrlOf(`${V2}.GrantExpandable`), entitlementIds: ['x'] }],
    },
    error: { nonRetryable: true, response: { '@type': typeUrlOf(`${V2}.CreateAccountResponse`) } },
  };
  const corpus: [string, string, object][] = [
    ['user resource', `${V2}.Resource`, user],
    ['team resource', `${V2}.Resource`, team],
    ['resource type', `${V2}.ResourceType`, userType],
    ['entitlement', `${V2}.Entitlement`, entitlement],
    ['grant', `${V2}.Grant`, grant],
    ['grant without sources', `${V2}.Grant`, grantNoSources],
    [
      'grant expandable',
      `${V2}.GrantExpandable`,
      { entitlementIds: ['a', '', 'b'], shallow: false, resourceTypeIds: ['user'] },
    ],
    ['user trait', `${V2}.UserTrait`, { ...userTrait, '@type': undefined }],
    ['profile struct', 'google.protobuf.Struct', profile],
    ['metadata', `${V2}.ConnectorMetadata`, metadata],
    ['finish success', `${BATON}.BatonServiceFinishTaskRequest`, finish],
    ['finish error', `${BATON}.BatonServiceFinishTaskRequest`, finishError],
  ];
  return corpus;
})();

const GOLDEN_HEX: Record<string, string> = {
  'user resource':
    '0a0b0a04757365721203755f31120e0a076163636f756e7412036163631a0c416461204c6f76656c61636522d2050a2d7479' +
    '70652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e55736572547261697412a0050a130a0f' +
    '616461406578616d706c652e636f6d10010a120a1061646132406578616d706c652e636f6d120208011ac2040a0b0a001207' +
    '1a05656d7074790a0f0a022d31120911000000000000f0bf0a0e0a013012091100000000000000000a100a023031120a1a08' +
    '7a65726f2d6f6e650a100a03312e35120911000000000000f83f0a0b0a02313012051a0374656e0a0a0a013212051a037477' +
    '6f0a130a0a3432393439363732393412051a036964780a130a0a3432393439363732393512051a036d61780a0a0a01411205' +
    '1a036361700a090a016112041a0261790a0a0a016212051a036265650a100a0362696712091150efe2d6e41a4b440a110a0b' +
    '656d707479537472696e6712021a000a680a046c6973741260325e0a1832160a0911000000000000f03f0a09110000000000' +
    '0000400a0232000a2b32290a031a01780a222a200a0e0a0131120911000000000000f03f0a0e0a0132120911000000000000' +
    '00400a091100000000000000000a021a000a0220000a100a036e65671209110000000000000ac00a84010a066e6573746564' +
    '127a2a780a410a0139123c323a0a0911000000000000f03f0a051a0374776f0a0208000a222a200a0a0a0331303012031a01' +
    '630a090a02313112031a01640a070a016b120232000a330a05696e6e6572122a2a280a260a0464656570121e2a1c0a0a0a02' +
    '303712041a0230370a0e0a01371209110000000000001c400a080a026e6f120220000a0d0a076e6f7468696e67120208000a' +
    '230a017a121e2a1c0a080a023230120220000a070a0133120220010a070a0178120208000a110a047a65726f120911000000' +
    '00000000000a0f0a02c3a912091a07652d616375746528013203616461420c0880e2cfaa061080cab5ee014a0608e4e2cfaa' +
    '06620f0a0341646112084c6f76656c61636522540a30747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e65' +
    '63746f722e76322e45787465726e616c4c696e6b12200a1e68747470733a2f2f666976657472616e2e636f6d2f6461736862' +
    '6f617264223b0a30747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e56314964656e' +
    '74696669657212070a056f6c642d31222e0a25747970652e676f6f676c65617069732e636f6d2f6f746865722e706b672e55' +
    '6e6b6e6f776e12050801120141222a0a24747970652e676f6f676c65617069732e636f6d2f6f746865722e706b672e506163' +
    '6b656412020a004a520a0a0a013112051a036f6e650a280a013212232a210a0f0a023130120911000000000000f03f0a0e0a' +
    '013912091100000000000000400a1a0a05656d61696c12111a0f616461406578616d706c652e636f6d5a0a08011206616374' +
    '69766562060880e2cfaa06',
  'team resource':
    '0a0e0a047465616d12067465616d5f311a04446174612291010a2e747970652e676f6f676c65617069732e636f6d2f63312e' +
    '636f6e6e6563746f722e76322e47726f75705472616974125f125d0a2b0a0131122632240a222a200a0e0a01341209110000' +
    '0000000010400a0e0a013512091100000000000014400a0e0a013312091100000000000008400a1e0a0b6465736372697074' +
    '696f6e120f1a0d7468652064617461207465616d22300a2e747970652e676f6f676c65617069732e636f6d2f63312e636f6e' +
    '6e6563746f722e76322e47726f75705472616974223f0a3d747970652e676f6f676c65617069732e636f6d2f63312e636f6e' +
    '6e6563746f722e76322e536b6970456e7469746c656d656e7473416e644772616e7473',
  'resource type':
    '0a04757365721204557365721a0101223f0a3d747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f' +
    '722e76322e536b6970456e7469746c656d656e7473416e644772616e7473',
  entitlement:
    '0a9d020a0e0a047465616d12067465616d5f311a04446174612291010a2e747970652e676f6f676c65617069732e636f6d2f' +
    '63312e636f6e6e6563746f722e76322e47726f75705472616974125f125d0a2b0a0131122632240a222a200a0e0a01341209' +
    '1100000000000010400a0e0a013512091100000000000014400a0e0a013312091100000000000008400a1e0a0b6465736372' +
    '697074696f6e120f1a0d7468652064617461207465616d22300a2e747970652e676f6f676c65617069732e636f6d2f63312e' +
    '636f6e6e6563746f722e76322e47726f75705472616974223f0a3d747970652e676f6f676c65617069732e636f6d2f63312e' +
    '636f6e6e6563746f722e76322e536b6970456e7469746c656d656e7473416e644772616e747312127465616d3a7465616d5f' +
    '313a6d656d6265721a0b44617461204d656d62657222174d656d626572206f66207468652044617461207465616d2a500a04' +
    '757365721204557365721a0101223f0a3d747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e' +
    '76322e536b6970456e7469746c656d656e7473416e644772616e74732a110a0567726f7570120547726f75701a0102323f0a' +
    '38747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e456e7469746c656d656e74496d' +
    '6d757461626c6512030a0178380142066d656d626572',
  grant:
    '0a8a040a9d020a0e0a047465616d12067465616d5f311a04446174612291010a2e747970652e676f6f676c65617069732e63' +
    '6f6d2f63312e636f6e6e6563746f722e76322e47726f75705472616974125f125d0a2b0a0131122632240a222a200a0e0a01' +
    '3412091100000000000010400a0e0a013512091100000000000014400a0e0a013312091100000000000008400a1e0a0b6465' +
    '736372697074696f6e120f1a0d7468652064617461207465616d22300a2e747970652e676f6f676c65617069732e636f6d2f' +
    '63312e636f6e6e6563746f722e76322e47726f75705472616974223f0a3d747970652e676f6f676c65617069732e636f6d2f' +
    '63312e636f6e6e6563746f722e76322e536b6970456e7469746c656d656e7473416e644772616e747312127465616d3a7465' +
    '616d5f313a6d656d6265721a0b44617461204d656d62657222174d656d626572206f66207468652044617461207465616d2a' +
    '500a04757365721204557365721a0101223f0a3d747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e656374' +
    '6f722e76322e536b6970456e7469746c656d656e7473416e644772616e74732a110a0567726f7570120547726f75701a0102' +
    '323f0a38747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e456e7469746c656d656e' +
    '74496d6d757461626c6512030a0178380142066d656d62657212d7080a0b0a04757365721203755f31120e0a076163636f75' +
    '6e7412036163631a0c416461204c6f76656c61636522d2050a2d747970652e676f6f676c65617069732e636f6d2f63312e63' +
    '6f6e6e6563746f722e76322e55736572547261697412a0050a130a0f616461406578616d706c652e636f6d10010a120a1061' +
    '646132406578616d706c652e636f6d120208011ac2040a0b0a0012071a05656d7074790a0f0a022d31120911000000000000' +
    'f0bf0a0e0a013012091100000000000000000a100a023031120a1a087a65726f2d6f6e650a100a03312e3512091100000000' +
    '0000f83f0a0b0a02313012051a0374656e0a0a0a013212051a0374776f0a130a0a3432393439363732393412051a03696478' +
    '0a130a0a3432393439363732393512051a036d61780a0a0a014112051a036361700a090a016112041a0261790a0a0a016212' +
    '051a036265650a100a0362696712091150efe2d6e41a4b440a110a0b656d707479537472696e6712021a000a680a046c6973' +
    '741260325e0a1832160a0911000000000000f03f0a091100000000000000400a0232000a2b32290a031a01780a222a200a0e' +
    '0a0131120911000000000000f03f0a0e0a013212091100000000000000400a091100000000000000000a021a000a0220000a' +
    '100a036e65671209110000000000000ac00a84010a066e6573746564127a2a780a410a0139123c323a0a0911000000000000' +
    'f03f0a051a0374776f0a0208000a222a200a0a0a0331303012031a01630a090a02313112031a01640a070a016b120232000a' +
    '330a05696e6e6572122a2a280a260a0464656570121e2a1c0a0a0a02303712041a0230370a0e0a0137120911000000000000' +
    '1c400a080a026e6f120220000a0d0a076e6f7468696e67120208000a230a017a121e2a1c0a080a023230120220000a070a01' +
    '33120220010a070a0178120208000a110a047a65726f12091100000000000000000a0f0a02c3a912091a07652d6163757465' +
    '28013203616461420c0880e2cfaa061080cab5ee014a0608e4e2cfaa06620f0a0341646112084c6f76656c61636522540a30' +
    '747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e45787465726e616c4c696e6b1220' +
    '0a1e68747470733a2f2f666976657472616e2e636f6d2f64617368626f617264223b0a30747970652e676f6f676c65617069' +
    '732e636f6d2f63312e636f6e6e6563746f722e76322e56314964656e74696669657212070a056f6c642d31222e0a25747970' +
    '652e676f6f676c65617069732e636f6d2f6f746865722e706b672e556e6b6e6f776e12050801120141222a0a24747970652e' +
    '676f6f676c65617069732e636f6d2f6f746865722e706b672e5061636b656412020a004a520a0a0a013112051a036f6e650a' +
    '280a013212232a210a0f0a023130120911000000000000f03f0a0e0a013912091100000000000000400a1a0a05656d61696c' +
    '12111a0f616461406578616d706c652e636f6d5a0a0801120661637469766562060880e2cfaa061a1b7465616d3a7465616d' +
    '5f313a6d656d6265723a757365723a755f31225a0a33747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e65' +
    '63746f722e76322e4772616e74457870616e6461626c6512230a1067726f75703a675f313a6d656d6265720a0d7465616d3a' +
    '323a6d656d6265721001223b0a32747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e' +
    '4772616e74496d6d757461626c6512050a037372632a4a0a080a023132120208010a050a013312000a070a035a656412000a' +
    '140a1067726f75703a675f313a6d656d62657212000a180a127465616d3a7465616d5f313a6d656d62657212020801',
  'grant without sources':
    '0aa3020a9d020a0e0a047465616d12067465616d5f311a04446174612291010a2e747970652e676f6f676c65617069732e63' +
    '6f6d2f63312e636f6e6e6563746f722e76322e47726f75705472616974125f125d0a2b0a0131122632240a222a200a0e0a01' +
    '3412091100000000000010400a0e0a013512091100000000000014400a0e0a013312091100000000000008400a1e0a0b6465' +
    '736372697074696f6e120f1a0d7468652064617461207465616d22300a2e747970652e676f6f676c65617069732e636f6d2f' +
    '63312e636f6e6e6563746f722e76322e47726f75705472616974223f0a3d747970652e676f6f676c65617069732e636f6d2f' +
    '63312e636f6e6e6563746f722e76322e536b6970456e7469746c656d656e7473416e644772616e7473120165120e0a0c0a05' +
    '67726f75701203675f311a0267322a00',
  'grant expandable': '0a01610a000a01621a0475736572',
  'user trait':
    '0a130a0f616461406578616d706c652e636f6d10010a120a1061646132406578616d706c652e636f6d120208011ac2040a0b' +
    '0a0012071a05656d7074790a0f0a022d31120911000000000000f0bf0a0e0a013012091100000000000000000a100a023031' +
    '120a1a087a65726f2d6f6e650a100a03312e35120911000000000000f83f0a0b0a02313012051a0374656e0a0a0a01321205' +
    '1a0374776f0a130a0a3432393439363732393412051a036964780a130a0a3432393439363732393512051a036d61780a0a0a' +
    '014112051a036361700a090a016112041a0261790a0a0a016212051a036265650a100a0362696712091150efe2d6e41a4b44' +
    '0a110a0b656d707479537472696e6712021a000a680a046c6973741260325e0a1832160a0911000000000000f03f0a091100' +
    '000000000000400a0232000a2b32290a031a01780a222a200a0e0a0131120911000000000000f03f0a0e0a01321209110000' +
    '0000000000400a091100000000000000000a021a000a0220000a100a036e65671209110000000000000ac00a84010a066e65' +
    '73746564127a2a780a410a0139123c323a0a0911000000000000f03f0a051a0374776f0a0208000a222a200a0a0a03313030' +
    '12031a01630a090a02313112031a01640a070a016b120232000a330a05696e6e6572122a2a280a260a0464656570121e2a1c' +
    '0a0a0a02303712041a0230370a0e0a01371209110000000000001c400a080a026e6f120220000a0d0a076e6f7468696e6712' +
    '0208000a230a017a121e2a1c0a080a023230120220000a070a0133120220010a070a0178120208000a110a047a65726f1209' +
    '1100000000000000000a0f0a02c3a912091a07652d616375746528013203616461420c0880e2cfaa061080cab5ee014a0608' +
    'e4e2cfaa06620f0a0341646112084c6f76656c616365',
  'profile struct':
    '0a0b0a0012071a05656d7074790a0f0a022d31120911000000000000f0bf0a0e0a013012091100000000000000000a100a02' +
    '3031120a1a087a65726f2d6f6e650a100a03312e35120911000000000000f83f0a0b0a02313012051a0374656e0a0a0a0132' +
    '12051a0374776f0a130a0a3432393439363732393412051a036964780a130a0a3432393439363732393512051a036d61780a' +
    '0a0a014112051a036361700a090a016112041a0261790a0a0a016212051a036265650a100a0362696712091150efe2d6e41a' +
    '4b440a110a0b656d707479537472696e6712021a000a680a046c6973741260325e0a1832160a0911000000000000f03f0a09' +
    '1100000000000000400a0232000a2b32290a031a01780a222a200a0e0a0131120911000000000000f03f0a0e0a0132120911' +
    '00000000000000400a091100000000000000000a021a000a0220000a100a036e65671209110000000000000ac00a84010a06' +
    '6e6573746564127a2a780a410a0139123c323a0a0911000000000000f03f0a051a0374776f0a0208000a222a200a0a0a0331' +
    '303012031a01630a090a02313112031a01640a070a016b120232000a330a05696e6e6572122a2a280a260a0464656570121e' +
    '2a1c0a0a0a02303712041a0230370a0e0a01371209110000000000001c400a080a026e6f120220000a0d0a076e6f7468696e' +
    '67120208000a230a017a121e2a1c0a080a023230120220000a070a0133120220010a070a0178120208000a110a047a65726f' +
    '12091100000000000000000a0f0a02c3a912091a07652d6163757465',
  metadata:
    '0a08466976657472616e121968747470733a2f2f666976657472616e2e636f6d2f646f63732a150a090a02323012031a0178' +
    '0a080a013312031a01793a27466976657472616e2075736572732c2067726f7570732c207465616d7320616e6420726f6c65' +
    '734281010a560a500a04757365721204557365721a0101223f0a3d747970652e676f6f676c65617069732e636f6d2f63312e' +
    '636f6e6e6563746f722e76322e536b6970456e7469746c656d656e7473416e644772616e7473120202050a180a0c0a047465' +
    '616d12045465616d1201011a050a030a017012030102051a080a060a02010010014a87020a100a023130120a0a0354656eba' +
    '060208000a100a0139120b0a044e696e65aa060208000a170a05656d61696c120e0a05456d61696c10012801a206000a230a' +
    '0a676976656e5f6e616d6512150a0a476976656e206e616d6510012802a206020a000a190a046c69737412110a044c697374' +
    'b206080a01620a01610a000a4f0a066e657374656412450a034d6170c2063d0a110a023131120b0a06656c6576656eaa0600' +
    '0a100a0132120b0a0374776fa206030a01760a160a016212110a0162ba060b08fbffffffffffffffff010a370a04726f6c65' +
    '122f0a04526f6c6522104163636f756e742052657669657765722803a206120a104163636f756e74205265766965776572',
  'finish success':
    '0a0168120174aa06b20a0a4b0a38747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e' +
    '526174654c696d69744465736372697074696f6e120f080110e80722080880e2cfaa06100112e2090a39747970652e676f6f' +
    '676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e4372656174654163636f756e74526573706f6e736512' +
    'a4091a420a37747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e526174654c696d69' +
    '74576169745265706f7274120708cb89ec8ff723a206dc080ad7080a0b0a04757365721203755f31120e0a076163636f756e' +
    '7412036163631a0c416461204c6f76656c61636522d2050a2d747970652e676f6f676c65617069732e636f6d2f63312e636f' +
    '6e6e6563746f722e76322e55736572547261697412a0050a130a0f616461406578616d706c652e636f6d10010a120a106164' +
    '6132406578616d706c652e636f6d120208011ac2040a0b0a0012071a05656d7074790a0f0a022d31120911000000000000f0' +
    'bf0a0e0a013012091100000000000000000a100a023031120a1a087a65726f2d6f6e650a100a03312e351209110000000000' +
    '00f83f0a0b0a02313012051a0374656e0a0a0a013212051a0374776f0a130a0a3432393439363732393412051a036964780a' +
    '130a0a3432393439363732393512051a036d61780a0a0a014112051a036361700a090a016112041a0261790a0a0a01621205' +
    '1a036265650a100a0362696712091150efe2d6e41a4b440a110a0b656d707479537472696e6712021a000a680a046c697374' +
    '1260325e0a1832160a0911000000000000f03f0a091100000000000000400a0232000a2b32290a031a01780a222a200a0e0a' +
    '0131120911000000000000f03f0a0e0a013212091100000000000000400a091100000000000000000a021a000a0220000a10' +
    '0a036e65671209110000000000000ac00a84010a066e6573746564127a2a780a410a0139123c323a0a0911000000000000f0' +
    '3f0a051a0374776f0a0208000a222a200a0a0a0331303012031a01630a090a02313112031a01640a070a016b120232000a33' +
    '0a05696e6e6572122a2a280a260a0464656570121e2a1c0a0a0a02303712041a0230370a0e0a01371209110000000000001c' +
    '400a080a026e6f120220000a0d0a076e6f7468696e67120208000a230a017a121e2a1c0a080a023230120220000a070a0133' +
    '120220010a070a0178120208000a110a047a65726f12091100000000000000000a0f0a02c3a912091a07652d616375746528' +
    '013203616461420c0880e2cfaa061080cab5ee014a0608e4e2cfaa06620f0a0341646112084c6f76656c61636522540a3074' +
    '7970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563746f722e76322e45787465726e616c4c696e6b12200a' +
    '1e68747470733a2f2f666976657472616e2e636f6d2f64617368626f617264223b0a30747970652e676f6f676c6561706973' +
    '2e636f6d2f63312e636f6e6e6563746f722e76322e56314964656e74696669657212070a056f6c642d31222e0a2574797065' +
    '2e676f6f676c65617069732e636f6d2f6f746865722e706b672e556e6b6e6f776e12050801120141222a0a24747970652e67' +
    '6f6f676c65617069732e636f6d2f6f746865722e706b672e5061636b656412020a004a520a0a0a013112051a036f6e650a28' +
    '0a013212232a210a0f0a023130120911000000000000f03f0a0e0a013912091100000000000000400a1a0a05656d61696c12' +
    '111a0f616461406578616d706c652e636f6d5a0a0801120661637469766562060880e2cfaa061001',
  'finish error':
    '0a0168120274321a44080d1204626f6f6d1a3a0a33747970652e676f6f676c65617069732e636f6d2f63312e636f6e6e6563' +
    '746f722e76322e4772616e74457870616e6461626c6512030a0178a2063f08011a3b0a39747970652e676f6f676c65617069' +
    '732e636f6d2f63312e636f6e6e6563746f722e76322e4372656174654163636f756e74526573706f6e7365',
};

describe('encodeMessage golden corpus', () => {
  it.each(golden)('encodes the %s exactly as before', (label, name, obj) => {
    expect(hex(encodeMessage(name, obj))).toBe(GOLDEN_HEX[label]);
  });

  it('re-encodes each decoded corpus message to the same bytes, and again from warm caches', () => {
    for (const [label, name, obj] of golden) {
      const bytes = encodeMessage(name, obj);
      expect(hex(encodeMessage(name, decodeMessage(name, bytes)))).toBe(GOLDEN_HEX[label]);
      expect(hex(encodeMessage(name, decodeMessage(name, bytes, { oneofs: false })))).toBe(GOLDEN_HEX[label]);
    }
  });

  it('writes map keys in UTF-8 byte order: integer-like keys not first, astral characters after U+FFFF', () => {
    const struct = toStruct({ '\u{1F600}': 1, '\uffff': 2, b: 3, '10': 4, '9': 5 });
    const wire = Buffer.from(encodeMessage('google.protobuf.Struct', struct));
    const keys: string[] = [];
    // Each entry is 0a <len> 0a <key len> <key> ...; every length here fits in one byte.
    for (let i = 0; i < wire.length; i += 2 + wire[i + 1]!) {
      keys.push(wire.subarray(i + 4, i + 4 + wire[i + 3]!).toString());
    }
    expect(keys).toEqual(['10', '9', 'b', '\uffff', '\u{1F600}']);
  });
});

describe('EncodeMemo', () => {
  it('gives the same bytes as encoding each message alone, for sub-messages shared across a batch', () => {
    const group: Resource = { id: { resourceType: 'group', resource: 'g1' }, displayName: 'G1' };
    const ent: Entitlement = { id: 'group:g1:member', resource: group, slug: 'member' };
    const grants: Grant[] = ['u1', 'u2', 'u3'].map((u) => ({
      id: `group:g1:member:user:${u}`,
      entitlement: ent,
      principal: { id: { resourceType: 'user', resource: u }, displayName: u },
    }));
    const memo = new EncodeMemo();
    for (const g of grants) {
      expect(hex(encodeMessage(`${V2}.Grant`, g, memo))).toBe(hex(encodeMessage(`${V2}.Grant`, g)));
    }
  });

  it('copies bytes given up front for an object, in place of encoding it', () => {
    const principal: Resource = { id: { resourceType: 'user', resource: 'u1' } };
    const given = encodeMessage(`${V2}.Resource`, { id: principal.id, displayName: 'stored' });
    const memo = new EncodeMemo();
    memo.set(principal, given);
    const g = { id: 'g1', principal };
    expect(
      decodeMessage<Grant>(`${V2}.Grant`, encodeMessage(`${V2}.Grant`, g, memo)).principal,
    ).toMatchObject({
      displayName: 'stored',
    });
    // Without the memo the object itself is encoded.
    expect(
      decodeMessage<Grant>(`${V2}.Grant`, encodeMessage(`${V2}.Grant`, g)).principal.displayName,
    ).toBeFalsy();
  });
});
