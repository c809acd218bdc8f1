// Differential tests of the encoder on ProtoWriter: for generated inputs its bytes equal those of the encoder it
// replaced (kept under test/support, driving protobufjs's Writer) and, where protobufjs's fromObject can express
// the input, of protobufjs's own Type.encode(Type.fromObject(...)).finish().
import protobuf from 'protobufjs';
import { EncodeMemo, encodeMessage, protoRoot } from '../../../src/connector/proto.js';
import { ProtoEncoder } from '../../../src/connector/proto-encoder.js';
import { ProtoTypeCache } from '../../../src/connector/proto-type-cache.js';
import { ProtoWriter } from '../../../src/connector/proto-writer.js';
import { SeededRandom } from '../../fakes/fivetran/seeded-random.js';
import { ReferenceProtoEncoder } from '../../support/reference-proto-encoder.js';

type Obj = Record<string, unknown>;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const V2 = 'c1.connector.v2';
const URL = 'type.googleapis.com/';

const reference = new ReferenceProtoEncoder(new ProtoTypeCache(protoRoot()));
const typeOf = (name: string): protobuf.Type => protoRoot().lookupType(name);
const referenceBytes = (name: string, obj: object): string => hex(reference.encode(typeOf(name), obj));
const protobufjsBytes = (name: string, obj: object): string => {
  const type = typeOf(name);
  return hex(type.encode(type.fromObject(obj)).finish());
};

/** UTF-8 byte order, as Go (and our encoder) sort map keys. */
const utf8Sorted = (keys: string[]): string[] =>
  keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

/**
 * Inputs for both encoders. `canonical` inputs are also valid for protobufjs's fromObject + encode, which writes
 * explicit proto3 zeros, an empty Any payload and map entries in insertion order: canonical inputs have no zero
 * scalars outside oneofs, no empty Any payloads, and map keys inserted in UTF-8 order.
 */
class Gen {
  constructor(
    private readonly r: SeededRandom,
    private readonly canonical: boolean,
  ) {}

  private readonly pieces = [
    'a',
    'Z',
    '7',
    ' ',
    'é',
    'ß',
    '€',
    '中',
    '😀',
    '𝕏',
    '\u007f',
    '\u0080',
    '\u07ff',
    '\u0800',
    '\uffff',
    '\ue000',
  ];
  private readonly lone = ['\ud800', '\udbff', '\udc00', '\udfff'];

  str(): string {
    const r = this.r;
    const len = r.pick([0, 1, 3, 12, 38, 39, 40, 41, 60, 130, 200, 700, 6000, 17000]);
    if (len === 0 && this.canonical) return 'x';
    const parts: string[] = [];
    let n = 0;
    while (n < len) {
      const p = r.chance(0.03)
        ? r.pick(this.lone)
        : r.chance(0.6)
          ? 'abcdefghij'.slice(0, 1 + r.int(10))
          : r.pick(this.pieces);
      parts.push(p);
      n += p.length;
    }
    return parts.join('');
  }

  /** A short identifier-like or unicode key, for Struct fields and map entries. */
  key(): string {
    const r = this.r;
    return r.chance(0.7)
      ? `k${r.int(50)}`
      : r.chance(0.5)
        ? r.pick(this.pieces) + r.pick(this.pieces)
        : this.str().slice(0, 45);
  }

  keys(n: number): string[] {
    const set = new Set<string>();
    for (let i = 0; i < n; i++) set.add(this.key());
    const keys = [...set];
    return this.canonical ? utf8Sorted(keys) : keys;
  }

  number(): number {
    const r = this.r;
    return r.pick([
      0,
      -0,
      1,
      -1,
      0.5,
      -2.75,
      1e21,
      -1e-7,
      2 ** 53,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      NaN,
      Infinity,
      -Infinity,
      r.next() * 1e6 - 5e5,
    ]);
  }

  value(depth: number): Obj {
    const r = this.r;
    const kind = r.int(depth > 2 ? 4 : 6);
    switch (kind) {
      case 0:
        return { nullValue: r.chance(0.5) ? 'NULL_VALUE' : 0 };
      case 1:
        return { boolValue: r.chance(0.5) };
      case 2:
        return { numberValue: this.number() };
      case 3:
        return { stringValue: r.chance(0.2) ? '' : this.str() };
      case 4:
        return { structValue: this.struct(depth + 1) };
      default:
        return { listValue: { values: Array.from({ length: r.int(5) }, () => this.value(depth + 1)) } };
    }
  }

  struct(depth = 0): Obj {
    const fields: Obj = {};
    for (const k of this.keys(this.r.int(depth === 0 ? 14 : 4))) fields[k] = this.value(depth);
    return { fields };
  }

  /** A string field's value: sometimes empty (a proto3 zero) unless canonical. */
  field(): string {
    return !this.canonical && this.r.chance(0.15) ? '' : this.str();
  }

  flag(): boolean | undefined {
    const b = this.r.chance(0.5);
    return this.canonical && !b ? undefined : b;
  }

  int64(): unknown {
    const r = this.r;
    const v = r.pick<unknown>([
      '1',
      '-1',
      '9223372036854775807',
      '-9223372036854775808',
      '4294967296',
      '123456789012',
      1,
      -1,
      2 ** 31,
      -(2 ** 31),
      2 ** 52 + 1,
      -(2 ** 40),
      4294967295,
      { low: 5, high: 1 },
      { low: -1, high: -1 },
    ]);
    return this.canonical || r.chance(0.9) ? v : r.pick([0, '0']);
  }

  timestamp(): Obj {
    const r = this.r;
    return { seconds: this.int64(), nanos: r.pick([1, 999_999_999, -5, 2 ** 30]) };
  }

  resourceId(): Obj {
    return { resourceType: this.field(), resource: this.field(), batonResource: this.flag() };
  }

  userTrait(): Obj {
    const r = this.r;
    return {
      '@type': `${URL}${V2}.UserTrait`,
      emails: Array.from({ length: r.int(3) }, () => ({ address: this.field(), isPrimary: this.flag() })),
      status: {
        status: r.pick(['STATUS_ENABLED', 'STATUS_DISABLED', 'STATUS_DELETED', 2]),
        details: this.field(),
      },
      profile: this.struct(),
      accountType: r.pick([
        'ACCOUNT_TYPE_HUMAN',
        'ACCOUNT_TYPE_SERVICE',
        3,
        -1,
        ...(this.canonical ? [] : ['ACCOUNT_TYPE_UNSPECIFIED']),
      ]),
      login: this.field(),
      loginAliases: Array.from({ length: r.int(3) }, () => this.str()),
      employeeIds: r.chance(0.3) ? [this.str()] : [],
      lastLogin: r.chance(0.5) ? this.timestamp() : undefined,
    };
  }

  groupTrait(): Obj {
    return { '@type': `${URL}${V2}.GroupTrait`, profile: this.struct(), groupSourceType: this.field() };
  }

  rateLimit(): Obj {
    return {
      '@type': `${URL}${V2}.RateLimitDescription`,
      status: this.r.pick(['STATUS_OK', 'STATUS_OVERLIMIT', 3]),
      limit: this.int64(),
      remaining: this.int64(),
      resetAt: this.timestamp(),
    };
  }

  annotations(): Obj[] {
    const r = this.r;
    return Array.from({ length: r.int(3) }, () =>
      r.pick([() => this.userTrait(), () => this.groupTrait(), () => this.rateLimit()])(),
    );
  }

  resource(): Obj {
    const r = this.r;
    return {
      id: this.resourceId(),
      parentResourceId: r.chance(0.3) ? this.resourceId() : undefined,
      displayName: this.field(),
      annotations: this.annotations(),
      description: r.chance(0.5) ? this.field() : undefined,
      batonResource: this.flag(),
      creationSource: r.pick(['CREATION_SOURCE_CONNECTOR_LIST_RESOURCES', 2, -7]),
      profile: r.chance(0.3) ? this.struct() : undefined,
      createdAt: r.chance(0.3) ? this.timestamp() : undefined,
    };
  }

  entitlement(): Obj {
    const r = this.r;
    return {
      resource: this.resource(),
      id: this.field(),
      displayName: this.field(),
      description: this.field(),
      grantableTo: Array.from({ length: r.int(3) }, () => ({
        id: this.field(),
        displayName: this.field(),
        traits: r.pick([['TRAIT_USER'], ['TRAIT_GROUP', 'TRAIT_USER'], [1, 3, -2]]),
      })),
      annotations: this.annotations(),
      purpose: r.pick(['PURPOSE_VALUE_ASSIGNMENT', 'PURPOSE_VALUE_PERMISSION', 3, -1]),
      slug: this.field(),
    };
  }

  grant(entitlement = this.entitlement()): Obj {
    const r = this.r;
    const sources: Obj = {};
    for (const k of this.keys(r.int(5)))
      sources[k] = this.canonical ? { isDirect: true } : { isDirect: r.chance(0.5) };
    return {
      entitlement,
      principal: this.resource(),
      id: this.field(),
      sources: r.chance(0.7) ? { sources } : undefined,
      annotations: this.annotations(),
    };
  }

  bytes(): Uint8Array | string {
    const r = this.r;
    const b = Uint8Array.from({ length: r.pick([1, 5, 200, 20000]) }, () => r.int(256));
    return r.chance(0.5) ? b : Buffer.from(b).toString('base64');
  }

  encrypted(): Obj {
    return {
      provider: this.field(),
      name: this.field(),
      encryptedBytes: this.bytes(),
      keyIds: [this.str(), this.str()],
    };
  }
}

const CASES: [string, (g: Gen) => Obj][] = [
  [`${V2}.Resource`, (g) => g.resource()],
  [`${V2}.Entitlement`, (g) => g.entitlement()],
  [`${V2}.Grant`, (g) => g.grant()],
  [`${V2}.EncryptedData`, (g) => g.encrypted()],
  [`${V2}.CredentialOptions.RandomPassword`, (g) => ({ length: g.int64() })],
  ['google.protobuf.Struct', (g) => g.struct()],
];

describe('ProtoEncoder on ProtoWriter: the same bytes as before', () => {
  it.each(CASES)('%s: 150 generated inputs encode as the protobufjs-Writer encoder did', (name, make) => {
    const g = new Gen(new SeededRandom(name.length * 7919), false);
    for (let i = 0; i < 150; i++) {
      const obj = make(g);
      expect(hex(encodeMessage(name, obj))).toBe(referenceBytes(name, obj));
    }
  });

  it.each(CASES)(
    '%s: 100 canonical inputs encode as protobufjs Type.encode(Type.fromObject(...))',
    (name, make) => {
      const g = new Gen(new SeededRandom(name.length * 104729), true);
      for (let i = 0; i < 100; i++) {
        const obj = make(g);
        expect(hex(encodeMessage(name, obj))).toBe(protobufjsBytes(name, obj));
      }
    },
  );

  it('empty messages and Anys with an empty payload', () => {
    for (const [name, obj] of [
      [`${V2}.Resource`, {}],
      [
        `${V2}.Grant`,
        { entitlement: {}, principal: { annotations: [{ '@type': `${URL}${V2}.GroupTrait` }] } },
      ],
      [`${V2}.Resource`, { annotations: [{ '@type': `${URL}${V2}.UserTrait`, login: '' }] }],
      ['google.protobuf.Struct', { fields: {} }],
    ] as const) {
      expect(hex(encodeMessage(name, obj))).toBe(referenceBytes(name, obj));
    }
    expect(encodeMessage(`${V2}.Resource`, {})).toHaveLength(0);
  });

  it('a page of grants sharing entitlement objects encodes the same with a memo, first and later times', () => {
    const g = new Gen(new SeededRandom(42), false);
    const entitlements = [g.entitlement(), g.entitlement()];
    const grants = Array.from({ length: 12 }, (_, i) => g.grant(entitlements[i % 2]));
    const memo = new EncodeMemo();
    for (const grant of grants) {
      expect(hex(encodeMessage(`${V2}.Grant`, grant, memo))).toBe(referenceBytes(`${V2}.Grant`, grant));
    }
    // The memo holds the entitlement's own encoding (a copy, not a view of the encoder's buffer).
    expect(hex(memo.get(entitlements[0]!)!)).toBe(referenceBytes(`${V2}.Entitlement`, entitlements[0]!));
  });

  it.each([127, 128, 16383, 16384, 2_097_151, 2_097_152])(
    'a nested body whose length prefix is at a varint boundary (%i bytes of description)',
    (n) => {
      // Resource.description inside Entitlement.resource inside Grant.entitlement: three nested prefixes grow.
      const grant = {
        id: 'g',
        entitlement: { id: 'e', resource: { displayName: 'r', description: 'd'.repeat(n) } },
      };
      expect(hex(encodeMessage(`${V2}.Grant`, grant))).toBe(referenceBytes(`${V2}.Grant`, grant));
    },
  );

  it('returns bytes of its own: a later encode does not change an earlier result', () => {
    const a = encodeMessage(`${V2}.Resource`, {
      id: { resourceType: 'user', resource: 'alice' },
      displayName: 'Alice',
    });
    const before = hex(a);
    encodeMessage(`${V2}.Resource`, {
      id: { resourceType: 'group', resource: 'admins' },
      displayName: 'Admins!',
    });
    encodeMessage(`${V2}.Resource`, { description: 'x'.repeat(3_000_000) }); // grows, then drops, the scratch
    encodeMessage(`${V2}.Resource`, { displayName: 'Bob' });
    expect(hex(a)).toBe(before);
  });

  it('reports every member of a oneof set twice, and encodes after the failure', () => {
    const value = { stringValue: 'a', boolValue: true };
    expect(() => encodeMessage('google.protobuf.Value', value)).toThrow(
      'google.protobuf.Value.kind has several members set: stringValue, boolValue',
    );
    expect(hex(encodeMessage('google.protobuf.Value', { boolValue: true }))).toBe('2001');
  });
});

// Every scalar wire type protobufjs writes (our protos use only some of them), singular, packed, in maps.
const ALL_SCALARS = `
syntax = "proto3";
package t;
enum E { E_ZERO = 0; E_ONE = 1; E_NEG = -1; }
message All {
  double d = 1; float f = 2; int32 i32 = 3; int64 i64 = 4; uint32 u32 = 5; uint64 u64 = 6; sint32 s32 = 7;
  sint64 s64 = 8; fixed32 fx32 = 9; fixed64 fx64 = 10; sfixed32 sfx32 = 11; sfixed64 sfx64 = 12; bool b = 13;
  string s = 14; bytes by = 15; E e = 16;
  repeated double rd = 21; repeated float rf = 22; repeated int32 ri32 = 23; repeated int64 ri64 = 24;
  repeated uint32 ru32 = 25; repeated uint64 ru64 = 26; repeated sint32 rs32 = 27; repeated sint64 rs64 = 28;
  repeated fixed32 rfx32 = 29; repeated fixed64 rfx64 = 30; repeated sfixed32 rsfx32 = 31;
  repeated sfixed64 rsfx64 = 32; repeated bool rb = 33; repeated string rs = 34; repeated bytes rby = 35;
  repeated E re = 36;
  map<string, int64> mi64 = 40; map<string, double> md = 41; map<string, string> ms = 42;
  map<string, bytes> mby = 43; map<string, E> me = 44; map<string, sint32> ms32 = 45;
  oneof o { string os = 50; int32 oi = 51; }
  optional int32 opt = 52;
  All child = 60;
  repeated All children = 61;
}`;

describe('ProtoWriter: every scalar wire type', () => {
  const root = protobuf.parse(ALL_SCALARS, { keepCase: false }).root;
  root.resolveAll();
  const type = root.lookupType('t.All');
  const encoder = new ProtoEncoder(new ProtoTypeCache(root));
  const ref = new ReferenceProtoEncoder(new ProtoTypeCache(root));

  const make = (r: SeededRandom, canonical: boolean, depth = 0): Obj => {
    const int = (): number =>
      r.pick([1, -1, 127, 128, 300, -300, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2.5]);
    const uint = (): number => r.pick([1, 127, 128, 16384, 2 ** 31, 2 ** 32 - 1]);
    const long = (): unknown =>
      r.pick<unknown>(['1', '-2', '9223372036854775807', '-9223372036854775808', 5, -5, 2 ** 40, -(2 ** 52)]);
    const ulong = (): unknown => r.pick<unknown>(['1', '18446744073709551615', '4294967296', 7, 2 ** 45]);
    const real = (): number => r.pick([1.5, -1e300, 3.4e38, 1e-45, NaN, Infinity, -Infinity, 0.1]);
    const list = <T>(f: () => T): T[] => Array.from({ length: r.int(4) }, f);
    const map = <T>(f: () => T): Obj => {
      const out: Obj = {};
      const keys = [...new Set(list(() => r.pick(['b', 'a', 'é', '😀', '\uffff', 'aa', 'Z'])))];
      for (const k of canonical ? utf8Sorted(keys) : keys) out[k] = f();
      return out;
    };
    const enumValue = (): unknown =>
      r.pick<unknown>(['E_ONE', 'E_NEG', 1, -1, 7, ...(canonical ? [] : ['E_ZERO', 0])]);
    const text = (): string => r.pick(['x', 'é😀', '\ud800a', 'long '.repeat(30), '\udc00'.repeat(41)]);
    const bytes = (): unknown => (r.chance(0.5) ? Uint8Array.of(1, 2, 255) : 'AQL/');
    const obj: Obj = {
      d: real(),
      f: real(),
      i32: int(),
      i64: long(),
      u32: uint(),
      u64: ulong(),
      s32: int(),
      s64: long(),
      fx32: uint(),
      fx64: ulong(),
      sfx32: int(),
      sfx64: long(),
      b: true,
      s: text(),
      by: bytes(),
      e: enumValue(),
      rd: list(real),
      rf: list(real),
      ri32: list(int),
      ri64: list(long),
      ru32: list(uint),
      ru64: list(ulong),
      rs32: list(int),
      rs64: list(long),
      rfx32: list(uint),
      rfx64: list(ulong),
      rsfx32: list(int),
      rsfx64: list(long),
      rb: list(() => r.chance(0.5)),
      rs: list(text),
      rby: list(() => Uint8Array.of(r.int(256))),
      re: list(enumValue),
      mi64: map(long),
      md: map(real),
      ms: map(text),
      mby: map(() => Uint8Array.of(9)),
      me: map(enumValue),
      ms32: map(int),
      opt: r.pick([0, 5, -5]),
      child: depth < 2 && r.chance(0.5) ? make(r, canonical, depth + 1) : undefined,
      children: depth < 1 ? list(() => make(r, canonical, depth + 1)) : [],
    };
    if (r.chance(0.5)) obj.os = r.pick(['', 'one']);
    else obj.oi = r.pick([0, -9]);
    if (!canonical) {
      // proto3 zeros, left out by our encoders (fromObject + encode would write them)
      for (const k of ['d', 'i32', 'i64', 'u64', 's', 'b'])
        if (r.chance(0.2)) obj[k] = k === 's' ? '' : k === 'b' ? false : r.pick([0, '0']);
    }
    return obj;
  };

  it('200 generated messages encode as the protobufjs-Writer encoder did', () => {
    const r = new SeededRandom(7);
    for (let i = 0; i < 200; i++) {
      const obj = make(r, false);
      expect(hex(encoder.encode(type, obj))).toBe(hex(ref.encode(type, obj)));
    }
  });

  it('100 canonical messages encode as protobufjs Type.encode(Type.fromObject(...))', () => {
    const r = new SeededRandom(8);
    for (let i = 0; i < 100; i++) {
      const obj = make(r, true);
      expect(hex(encoder.encode(type, obj))).toBe(hex(type.encode(type.fromObject(obj)).finish()));
    }
  });

  it('pins the wire bytes of the edge values', () => {
    const w = new ProtoWriter(4);
    w.int32(-1);
    w.sint32(-1);
    w.int64('-9223372036854775808');
    w.sint64(-2);
    w.fixed64({ low: 1, high: 2 });
    w.double(1.5);
    w.float(-0);
    w.string('\ud800');
    w.string('\ud800'.repeat(40));
    expect(hex(w.finish())).toBe(
      'ffffffffffffffffff01' + // int32 -1: ten bytes
        '01' + // sint32 -1: zig-zag 1
        '80808080808080808001' + // int64 min
        '03' + // sint64 -2
        '0100000002000000' + // fixed64
        '000000000000f83f' + // double 1.5, little-endian
        '00000080' + // float -0
        '03eda080' + // a short string: protobufjs's own UTF-8 keeps the lone surrogate's bytes
        '78' +
        'efbfbd'.repeat(40), // a long one goes through Node's UTF-8, which writes U+FFFD
    );
  });
});

// Oneofs are checked while their members are written, one mask bit per oneof; a message with more oneofs than
// the mask has bits is checked in a pass before writing. Both ways must name the oneof set twice, whichever it is.
describe('ProtoEncoder: oneofs with several members set', () => {
  const oneofs = (n: number): string =>
    Array.from(
      { length: n },
      (_, i) => `oneof o${i} { string a${i} = ${2 * i + 1}; int32 b${i} = ${2 * i + 2}; }`,
    ).join('\n  ');
  const encoderFor = (n: number) => {
    const root = protobuf.parse(`syntax = "proto3"; package t; message M {\n  ${oneofs(n)}\n}`, {
      keepCase: false,
    }).root;
    root.resolveAll();
    const type = root.lookupType('t.M');
    return {
      encode: (obj: Obj) => hex(new ProtoEncoder(new ProtoTypeCache(root)).encode(type, obj)),
      reference: (obj: Obj) => hex(new ReferenceProtoEncoder(new ProtoTypeCache(root)).encode(type, obj)),
    };
  };

  it.each([2, 30, 31, 40])('%i oneofs: each one set twice is refused by name, once each is encoded', (n) => {
    const { encode, reference } = encoderFor(n);
    for (const at of new Set([0, 1, n - 2, n - 1])) {
      const obj: Obj = { [`a${at}`]: 'x', [`b${at}`]: 7 };
      expect(() => encode(obj)).toThrow(`t.M.o${at} has several members set: a${at}, b${at}`);
    }
    const one: Obj = {};
    for (let i = 0; i < n; i++) one[i % 2 === 0 ? `a${i}` : `b${i}`] = i % 2 === 0 ? '' : 0;
    expect(encode(one)).toBe(reference(one));
    expect(encode(one).length).toBeGreaterThan(0);
  });
});
