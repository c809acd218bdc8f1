// Test-only reference: src/connector/proto-encoder.ts as it was before ProtoWriter (commit 0482632), driving
// protobufjs's own Writer. The differential test checks the new encoder gives these bytes for every input.
// Do not change it to follow src/: it pins the old behaviour. It has no EncodeMemo: a memo only spares work, so
// the bytes an encode with a memo gives are checked against this encoder's bytes without one.
// Writes model-shaped objects straight to a protobufjs Writer, one pass, with the exact bytes the previous
// toWire -> fromObject -> encode pipeline gave: fields by number, proto3 zero scalars omitted (oneof members
// and optional fields kept), map entries sorted by UTF-8 key bytes, Any payloads encoded in place. Scalar
// conversions mirror protobufjs's generated fromObject, and the Writer is protobufjs's own (same UTF-8 rules).
import protobuf from 'protobufjs';
import { internal, invalidArgument } from '../../src/connector/errors.js';
import type { ProtoTypeCache } from '../../src/connector/proto-type-cache.js';

type Obj = Record<string, unknown>;
type Writer = protobuf.Writer;

const ANY = '.google.protobuf.Any';
const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const UNSIGNED_LONGS = new Set(['uint64', 'fixed64']);
// protobufjs's own nesting limit (util.recursionLimit); deeper input would have thrown there too.
const MAX_DEPTH = 100;
/** A converted scalar that protobufjs's fromObject would have left unset, so nothing is written. */
const SKIP = Symbol('skip');

type Convert = (v: unknown) => unknown;
type Write = (w: Writer, v: unknown) => void;

interface FieldPlan {
  readonly name: string;
  readonly kind: 'scalar' | 'message' | 'any' | 'map';
  readonly repeated: boolean;
  readonly packed: boolean;
  /** Key of the field for singular and unpacked values; `id << 3 | 2` for packed lists and maps. */
  readonly tag: number;
  readonly lenTag: number;
  /** Kept even when zero: a member of a (real or synthetic) oneof. */
  readonly inOneof: boolean;
  readonly field: protobuf.Field;
  /** Scalar (or map value) conversion and write. */
  readonly convert: Convert;
  readonly write: Write;
  /** Map value key (`2 << 3 | wire type`) when the value is a scalar. */
  readonly valueTag: number;
  readonly valueKind: 'scalar' | 'message' | 'any';
  /** Message-valued fields: the value type, planned lazily (types can be recursive). */
  readonly valueType: protobuf.Type | undefined;
}

interface TypePlan {
  readonly type: protobuf.Type;
  readonly label: string;
  readonly fields: readonly FieldPlan[];
  /** Oneofs with several members, to reject objects setting more than one. */
  readonly oneofs: readonly protobuf.OneOf[];
}

/** Byte-wise UTF-8 order (Go's map key order) without encoding: code units compare the same below U+D800. */
const utf8Order = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
  }
  return a.length - b.length;
};

const isZero = (field: protobuf.Field, v: unknown): boolean => {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) return typeof v === 'string' ? rt.values[v] === 0 : v === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'string') return v === '' || (LONGS.has(field.type) && Number(v) === 0);
  return v === false || v === 0;
};

const toLong = (unsigned: boolean): Convert => {
  const { LongBits } = protobuf.util;
  const Long = protobuf.util.Long as unknown as { fromValue(v: unknown, unsigned: boolean): unknown } | null;
  if (Long) return (v) => Long.fromValue(v, unsigned);
  return (v) => {
    if (typeof v === 'string') return parseInt(v, 10);
    if (typeof v === 'number') return v;
    if (v !== null && typeof v === 'object') {
      const l = v as { low: number; high: number };
      return new LongBits(l.low >>> 0, l.high >>> 0).toNumber(unsigned);
    }
    return SKIP;
  };
};

const toBytes: Convert = (v) => {
  if (typeof v === 'string') {
    const { base64 } = protobuf.util;
    const buf = protobuf.util.newBuffer(base64.length(v)) as Uint8Array;
    base64.decode(v, buf, 0);
    return buf;
  }
  return (v as { length?: number }).length! >= 0 ? v : SKIP;
};

/** protobufjs fromObject for one scalar: `repeated` enums fall back to 0 where singular ones stay unset. */
const scalarConvert = (field: protobuf.Field, type: string, repeated: boolean): Convert => {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) {
    const values = rt.values;
    return (v) => {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(values, v)) return values[v];
      return repeated ? 0 : SKIP;
    };
  }
  switch (type) {
    case 'double':
    case 'float':
      return Number;
    case 'uint32':
    case 'fixed32':
      return (v) => (v as number) >>> 0;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return (v) => (v as number) | 0;
    case 'bool':
      return Boolean;
    case 'string':
      return String;
    case 'bytes':
      return toBytes;
    default:
      if (LONGS.has(type)) return toLong(UNSIGNED_LONGS.has(type));
      throw internal(`baton-fivetran: unsupported protobuf field type ${type} in ${field.fullName}`);
  }
};

// Node's BufferWriter overrides string/bytes, so methods come from the class Writer.create() really returns.
const writerProto = Object.getPrototypeOf(protobuf.Writer.create()) as Record<string, (v: unknown) => Writer>;

const scalarWrite = (method: string): Write => {
  const fn = writerProto[method];
  if (!fn) throw internal(`baton-fivetran: protobuf writer has no ${method}`);
  return (w, v) => void fn.call(w, v);
};

const checkEnumName = (field: protobuf.Field, v: unknown): void => {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum && typeof v === 'string' && rt.values[v] === undefined) {
    throw invalidArgument(`baton-fivetran: ${v} is not a value of ${rt.fullName.slice(1)}`);
  }
};

const planField = (field: protobuf.Field): FieldPlan => {
  field.resolve();
  const rt = field.resolvedType;
  const isMessage = rt instanceof protobuf.Type;
  const valueKind = isMessage ? (rt.fullName === ANY ? 'any' : 'message') : 'scalar';
  const wireName = rt instanceof protobuf.Enum ? 'int32' : field.type;
  const wire = (protobuf.types.basic as Record<string, number | undefined>)[wireName];
  if (field.map) {
    const keyType = (field as unknown as protobuf.MapField).keyType;
    if (keyType !== 'string') {
      throw internal(`baton-fivetran: map key type ${keyType} of ${field.fullName} is not supported`);
    }
  }
  const packed =
    field.repeated &&
    !isMessage &&
    field.packed &&
    (protobuf.types.packed as Record<string, number | undefined>)[wireName] !== undefined;
  return {
    name: field.name,
    kind: field.map ? 'map' : valueKind,
    repeated: field.repeated,
    packed,
    tag: packed || isMessage || field.map ? ((field.id << 3) | 2) >>> 0 : ((field.id << 3) | wire!) >>> 0,
    lenTag: ((field.id << 3) | 2) >>> 0,
    inOneof: field.partOf !== null,
    field,
    convert: isMessage ? (v) => v : scalarConvert(field, wireName, field.repeated && !field.map),
    write: isMessage ? () => undefined : scalarWrite(wireName),
    valueTag: isMessage ? 18 : (16 | wire!) >>> 0,
    valueKind,
    valueType: isMessage ? rt : undefined,
  };
};

const expectObject = (label: string, obj: unknown): Obj => {
  if (obj === null || typeof obj !== 'object') {
    throw invalidArgument(`baton-fivetran: expected an object for ${label}`);
  }
  return obj as Obj;
};

/** Encodes model-shaped objects deterministically; plans are built once per message type. */
export class ReferenceProtoEncoder {
  private readonly plans = new Map<protobuf.Type, TypePlan>();

  constructor(private readonly types: ProtoTypeCache) {}

  encode(type: protobuf.Type, obj: object): Uint8Array {
    const w = protobuf.Writer.create();
    this.writeMessage(this.plan(type), obj, w, 0);
    return w.finish();
  }

  private plan(type: protobuf.Type): TypePlan {
    let plan = this.plans.get(type);
    if (!plan) {
      plan = {
        type,
        label: type.fullName.slice(1),
        fields: type.fieldsArray
          .slice()
          .sort((a, b) => a.id - b.id)
          .map(planField),
        oneofs: type.oneofsArray.filter((o) => o.fieldsArray.length > 1),
      };
      this.plans.set(type, plan);
    }
    return plan;
  }

  private writeMessage(plan: TypePlan, input: unknown, w: Writer, depth: number): void {
    const obj = expectObject(plan.label, input);
    if (depth > MAX_DEPTH) throw invalidArgument(`baton-fivetran: ${plan.label} is nested too deeply`);
    for (const oneof of plan.oneofs) this.checkOneof(plan, oneof, obj);
    for (const fp of plan.fields) {
      const v = obj[fp.name];
      if (v === undefined || v === null) continue;
      if (fp.kind === 'map') this.writeMap(fp, v as Obj, w, depth);
      else if (fp.repeated) this.writeList(fp, v as unknown[], w, depth);
      else if (fp.kind === 'scalar') {
        checkEnumName(fp.field, v);
        if (!fp.inOneof && isZero(fp.field, v)) continue;
        const c = fp.convert(v);
        if (c === SKIP) continue;
        w.uint32(fp.tag);
        fp.write(w, c);
      } else this.writeValue(fp, v, w, depth);
    }
  }

  private checkOneof(plan: TypePlan, oneof: protobuf.OneOf, obj: Obj): void {
    const set = oneof.fieldsArray.filter((f) => obj[f.name] !== undefined && obj[f.name] !== null);
    if (set.length > 1) {
      throw invalidArgument(
        `baton-fivetran: ${plan.label}.${oneof.name} has several members set: ${set.map((f) => f.name).join(', ')}`,
      );
    }
  }

  /** A message (or Any) value behind `fp.lenTag`. */
  private writeValue(fp: FieldPlan, v: unknown, w: Writer, depth: number): void {
    w.uint32(fp.lenTag).fork();
    if (fp.valueKind === 'any') this.writeAny(v, w);
    else this.writeMessage(this.plan(fp.valueType!), v, w, depth + 1);
    w.ldelim();
  }

  private writeList(fp: FieldPlan, list: unknown[], w: Writer, depth: number): void {
    if (!Array.isArray(list)) throw invalidArgument(`baton-fivetran: ${fp.field.fullName} must be a list`);
    if (fp.kind !== 'scalar') {
      for (const e of list) this.writeValue(fp, e, w, depth);
      return;
    }
    const converted = list.map((e) => {
      checkEnumName(fp.field, e);
      return fp.convert(e);
    });
    if (converted.length === 0) return;
    if (fp.packed) w.uint32(fp.tag).fork();
    for (const c of converted) {
      if (!fp.packed) w.uint32(fp.tag);
      fp.write(w, c === SKIP ? undefined : c);
    }
    if (fp.packed) w.ldelim();
  }

  private writeMap(fp: FieldPlan, map: Obj, w: Writer, depth: number): void {
    const keys = Object.keys(map);
    if (keys.length > 1) keys.sort(utf8Order);
    const sub = fp.valueKind === 'message' ? this.plan(fp.valueType!) : undefined;
    for (const k of keys) {
      const e = map[k];
      w.uint32(fp.lenTag).fork().uint32(10).string(k);
      if (fp.valueKind === 'scalar') {
        checkEnumName(fp.field, e);
        const c = fp.convert(e);
        fp.write(w.uint32(fp.valueTag), c === SKIP ? 0 : c);
      } else {
        w.uint32(18).fork();
        if (sub) this.writeMessage(sub, e, w, depth + 1);
        else this.writeAny(e, w);
        w.ldelim();
      }
      w.ldelim();
    }
  }

  /** The body of a google.protobuf.Any: `{ '@type', ...fields }`, `{ '@type', value }` or `{ typeUrl, value }`. */
  private writeAny(input: unknown, w: Writer): void {
    const v = expectObject('google.protobuf.Any', input);
    const typeUrl = v['@type'];
    if (typeof typeUrl === 'string') {
      const type = this.types.byTypeUrl(typeUrl);
      if (typeUrl !== '') w.uint32(10).string(typeUrl);
      if (type) {
        const plan = this.plan(type);
        // An empty payload is left out, as proto3 leaves out an empty bytes field.
        if (this.hasContent(plan, v)) {
          w.uint32(18).fork();
          this.writeMessage(plan, v, w, 0);
          w.ldelim();
        } else this.writeMessage(plan, v, protobuf.Writer.create(), 0);
        return;
      }
      if (v.value instanceof Uint8Array) return void writeAnyBytes(w, v.value);
      throw invalidArgument(`baton-fivetran: cannot pack unknown message type ${typeUrl}`);
    }
    const url = 'typeUrl' in v ? v.typeUrl : v.type_url;
    if (typeof url === 'string' && url !== '') w.uint32(10).string(url);
    writeAnyBytes(w, v.value);
  }

  /** Whether writeMessage would write at least one byte for `obj` (it also validates, when it would not). */
  private hasContent(plan: TypePlan, obj: Obj): boolean {
    for (const fp of plan.fields) {
      const v = obj[fp.name];
      if (v === undefined || v === null) continue;
      if (fp.kind === 'map') {
        if (Object.keys(v).length > 0) return true;
      } else if (fp.repeated) {
        if ((v as unknown[]).length > 0) return true;
      } else if (fp.kind !== 'scalar') return true;
      else if ((fp.inOneof || !isZero(fp.field, v)) && fp.convert(v) !== SKIP) return true;
    }
    return false;
  }
}

const writeAnyBytes = (w: Writer, value: unknown): void => {
  if (value instanceof Uint8Array && value.length > 0) w.uint32(18).bytes(value);
};
