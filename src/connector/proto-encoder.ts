// Writes model-shaped objects straight to a ProtoWriter, one pass, with the exact bytes the previous
// toWire -> fromObject -> encode pipeline gave: fields by number, proto3 zero scalars omitted (oneof members
// and optional fields kept), map entries sorted by UTF-8 key bytes, Any payloads encoded in place. Scalar
// conversions mirror protobufjs's generated fromObject, and ProtoWriter writes protobufjs's Writer's bytes.
import protobuf from 'protobufjs';
import { internal, invalidArgument } from './errors.js';
import type { ProtoTypeCache } from './proto-type-cache.js';
import { ProtoWriter, type LongLike } from './proto-writer.js';

type Obj = Record<string, unknown>;
type Writer = ProtoWriter;

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
  /** A member of a oneof with several members: the bit that oneof has in `writeMessage`'s mask, else 0. */
  readonly oneofBit: number;
  readonly field: protobuf.Field;
  /** Scalar (or map value) conversion and write. */
  readonly convert: Convert;
  readonly write: Write;
  /** Map value key (`2 << 3 | wire type`) when the value is a scalar. */
  readonly valueTag: number;
  readonly valueKind: 'scalar' | 'message' | 'any';
  /** Message-valued fields: the value type, planned lazily (types can be recursive). */
  readonly valueType: protobuf.Type | undefined;
  /** The plan of `valueType`, set on first use. */
  sub: TypePlan | undefined;
  /** Enum fields (and maps of enums): the enum's values by name, and its name for errors. */
  readonly enumValues: Readonly<Record<string, number>> | undefined;
  readonly enumName: string;
  /** A 64-bit integer type: its zero may be given as the string "0". */
  readonly isLong: boolean;
}

/** A oneof with several members, by their field names in declaration order. */
interface OneofPlan {
  readonly name: string;
  readonly members: readonly string[];
}

interface TypePlan {
  readonly type: protobuf.Type;
  readonly label: string;
  readonly fields: readonly FieldPlan[];
  /** Oneofs with several members, to reject objects setting more than one. */
  readonly oneofs: readonly OneofPlan[];
  /** More such oneofs than mask bits: they are checked in a pass of their own before writing. */
  readonly checkOneofsFirst: boolean;
}

const ONEOF_MASK_BITS = 30;

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

const isSorted = (keys: readonly string[]): boolean => {
  for (let i = 1; i < keys.length; i++) if (utf8Order(keys[i - 1]!, keys[i]!) > 0) return false;
  return true;
};

const hasOwnKey = (obj: Obj): boolean => {
  for (const k in obj) if (Object.prototype.hasOwnProperty.call(obj, k)) return true;
  return false;
};

// The hot paths read only plans (objects of one shape each), never protobufjs's Field or Type objects, whose
// shapes differ from one instance to the next and made V8 drop and recompile the encoder several times a sync.
const isZero = (fp: FieldPlan, v: unknown): boolean => {
  const values = fp.enumValues;
  if (values !== undefined) return typeof v === 'string' ? values[v] === 0 : v === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'string') return v === '' || (fp.isLong && Number(v) === 0);
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

/** The writer call for a wire type name (enums are written as int32). */
const scalarWrite = (method: string): Write => {
  switch (method) {
    case 'double':
      return (w, v) => w.double(v as number);
    case 'float':
      return (w, v) => w.float(v as number);
    case 'int32':
      return (w, v) => w.int32(v as number);
    case 'uint32':
      return (w, v) => w.uint32(v as number);
    case 'sint32':
      return (w, v) => w.sint32(v as number);
    case 'fixed32':
    case 'sfixed32':
      return (w, v) => w.fixed32(v as number);
    case 'int64':
    case 'uint64':
      return (w, v) => w.int64(v as LongLike);
    case 'sint64':
      return (w, v) => w.sint64(v as LongLike);
    case 'fixed64':
    case 'sfixed64':
      return (w, v) => w.fixed64(v as LongLike);
    case 'bool':
      return (w, v) => w.bool(v);
    case 'string':
      return (w, v) => w.string(v as string);
    case 'bytes':
      return (w, v) => w.bytes(v as Uint8Array);
    default:
      throw internal(`baton-fivetran: protobuf writer has no ${method}`);
  }
};

const checkEnumName = (fp: FieldPlan, v: unknown): void => {
  const values = fp.enumValues;
  if (values !== undefined && typeof v === 'string' && values[v] === undefined) {
    throw invalidArgument(`baton-fivetran: ${v} is not a value of ${fp.enumName}`);
  }
};

const planField = (field: protobuf.Field, oneofBit: number): FieldPlan => {
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
    oneofBit,
    field,
    convert: isMessage ? (v) => v : scalarConvert(field, wireName, field.repeated && !field.map),
    write: isMessage ? () => undefined : scalarWrite(wireName),
    valueTag: isMessage ? 18 : (16 | wire!) >>> 0,
    valueKind,
    valueType: isMessage ? rt : undefined,
    sub: undefined,
    enumValues: rt instanceof protobuf.Enum ? rt.values : undefined,
    enumName: rt instanceof protobuf.Enum ? rt.fullName.slice(1) : '',
    isLong: LONGS.has(field.type),
  };
};

const isSet = (obj: Obj, name: string): boolean => obj[name] !== undefined && obj[name] !== null;

const oneofError = (plan: TypePlan, oneof: OneofPlan, obj: Obj): Error => {
  const set = oneof.members.filter((name) => isSet(obj, name));
  return invalidArgument(
    `baton-fivetran: ${plan.label}.${oneof.name} has several members set: ${set.join(', ')}`,
  );
};

const expectObject = (label: string, obj: unknown): Obj => {
  if (obj === null || typeof obj !== 'object') {
    throw invalidArgument(`baton-fivetran: expected an object for ${label}`);
  }
  return obj as Obj;
};

/**
 * Encodings of sub-messages by object identity, for a batch of messages that share objects (the grants of a
 * page name the same entitlement resource): an object met a second time is encoded once more on its own and
 * its bytes are copied from then on. Bytes may also be given up front (`set`) for an object whose encoding
 * is already known. Only for objects that do not change while the memo is in use; keep one per batch.
 */
export class EncodeMemo {
  readonly #seen = new WeakSet<object>();
  readonly #bytes = new WeakMap<object, Uint8Array>();

  /** `bytes` must be the encoding of `obj` as the message type it is written as. */
  set(obj: object, bytes: Uint8Array): void {
    this.#bytes.set(obj, bytes);
  }

  get(obj: object): Uint8Array | undefined {
    return this.#bytes.get(obj);
  }

  /** True when `obj` was met before (and is not cached yet); marks it as met. */
  repeated(obj: object): boolean {
    if (this.#seen.has(obj)) return true;
    this.#seen.add(obj);
    return false;
  }
}

/** Encodes model-shaped objects deterministically; plans are built once per message type. */
export class ProtoEncoder {
  private readonly plans = new Map<protobuf.Type, TypePlan>();
  private memo: EncodeMemo | undefined;
  /** Reused by every encode (the result is copied out); undefined while one is in progress. */
  private scratch: ProtoWriter | undefined;

  constructor(private readonly types: ProtoTypeCache) {}

  encode(type: protobuf.Type, obj: object, memo?: EncodeMemo): Uint8Array {
    const w = this.scratch ?? new ProtoWriter();
    this.scratch = undefined;
    w.reset();
    const outer = this.memo;
    this.memo = memo;
    try {
      this.writeMessage(this.plan(type), obj, w, 0);
      return w.finish();
    } finally {
      this.memo = outer;
      if (!w.oversized) this.scratch = w;
    }
  }

  private plan(type: protobuf.Type): TypePlan {
    let plan = this.plans.get(type);
    if (!plan) {
      const oneofs = type.oneofsArray.filter((o) => o.fieldsArray.length > 1);
      const checkOneofsFirst = oneofs.length > ONEOF_MASK_BITS;
      const bitOf = (f: protobuf.Field): number => {
        const at = f.partOf ? oneofs.indexOf(f.partOf) : -1;
        return at < 0 || checkOneofsFirst ? 0 : 1 << at;
      };
      plan = {
        type,
        label: type.fullName.slice(1),
        fields: type.fieldsArray
          .slice()
          .sort((a, b) => a.id - b.id)
          .map((f) => planField(f, bitOf(f))),
        oneofs: oneofs.map((o) => ({ name: o.name, members: o.fieldsArray.map((f) => f.name) })),
        checkOneofsFirst,
      };
      this.plans.set(type, plan);
    }
    return plan;
  }

  private writeMessage(plan: TypePlan, input: unknown, w: Writer, depth: number): void {
    const obj = expectObject(plan.label, input);
    if (depth > MAX_DEPTH) throw invalidArgument(`baton-fivetran: ${plan.label} is nested too deeply`);
    if (plan.checkOneofsFirst) for (const oneof of plan.oneofs) this.checkOneof(plan, oneof, obj);
    // Members of each oneof met so far, checked while writing: a failure throws away the whole encode.
    let oneofsSet = 0;
    for (const fp of plan.fields) {
      const v = obj[fp.name];
      if (v === undefined || v === null) continue;
      if (fp.oneofBit !== 0) {
        if ((oneofsSet & fp.oneofBit) !== 0)
          throw oneofError(plan, plan.oneofs[Math.log2(fp.oneofBit)]!, obj);
        oneofsSet |= fp.oneofBit;
      }
      if (fp.kind === 'map') this.writeMap(fp, v as Obj, w, depth);
      else if (fp.repeated) this.writeList(fp, v as unknown[], w, depth);
      else if (fp.kind === 'scalar') {
        checkEnumName(fp, v);
        if (!fp.inOneof && isZero(fp, v)) continue;
        const c = fp.convert(v);
        if (c === SKIP) continue;
        w.uint32(fp.tag);
        fp.write(w, c);
      } else this.writeValue(fp, v, w, depth);
    }
  }

  private checkOneof(plan: TypePlan, oneof: OneofPlan, obj: Obj): void {
    let count = 0;
    for (const name of oneof.members) if (isSet(obj, name)) count++;
    if (count > 1) throw oneofError(plan, oneof, obj);
  }

  private subPlan(fp: FieldPlan): TypePlan {
    return (fp.sub ??= this.plan(fp.valueType!));
  }

  /** A message (or Any) value behind `fp.lenTag`. */
  private writeValue(fp: FieldPlan, v: unknown, w: Writer, depth: number): void {
    const memo = this.memo;
    if (memo && fp.valueKind === 'message' && v !== null && typeof v === 'object') {
      const bytes = memo.get(v);
      if (bytes) {
        w.uint32(fp.lenTag);
        w.bytes(bytes);
        return;
      }
      if (memo.repeated(v)) {
        // Met before: written in place as usual, and its body kept for the next time.
        w.uint32(fp.lenTag);
        w.fork();
        this.writeMessage(this.subPlan(fp), v, w, depth + 1);
        memo.set(v, w.copy(w.forkBody, w.pos));
        w.ldelim();
        return;
      }
    }
    w.uint32(fp.lenTag);
    w.fork();
    if (fp.valueKind === 'any') this.writeAny(v, w);
    else this.writeMessage(this.subPlan(fp), v, w, depth + 1);
    w.ldelim();
  }

  private writeList(fp: FieldPlan, list: unknown[], w: Writer, depth: number): void {
    if (!Array.isArray(list)) throw invalidArgument(`baton-fivetran: ${fp.field.fullName} must be a list`);
    if (fp.kind !== 'scalar') {
      for (let i = 0; i < list.length; i++) this.writeValue(fp, list[i], w, depth);
      return;
    }
    if (list.length === 0) return;
    // A bad element fails the encode before anything is returned, so checking while writing is enough.
    if (fp.packed) {
      w.uint32(fp.tag);
      w.fork();
    }
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      checkEnumName(fp, e);
      const c = fp.convert(e);
      if (!fp.packed) w.uint32(fp.tag);
      fp.write(w, c === SKIP ? undefined : c);
    }
    if (fp.packed) w.ldelim();
  }

  private writeMap(fp: FieldPlan, map: Obj, w: Writer, depth: number): void {
    const keys = Object.keys(map);
    // Usually sorted already (toStruct sorts its keys); Array#sort would allocate a work array even then.
    if (!isSorted(keys)) keys.sort(utf8Order);
    const sub = fp.valueKind === 'message' ? this.subPlan(fp) : undefined;
    for (const k of keys) {
      const e = map[k];
      w.uint32(fp.lenTag);
      w.fork();
      w.uint32(10);
      w.string(k);
      if (fp.valueKind === 'scalar') {
        checkEnumName(fp, e);
        const c = fp.convert(e);
        w.uint32(fp.valueTag);
        fp.write(w, c === SKIP ? 0 : c);
      } else {
        w.uint32(18);
        w.fork();
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
      if (typeUrl !== '') {
        w.uint32(10);
        w.string(typeUrl);
      }
      if (type) {
        const plan = this.plan(type);
        // An empty payload is left out, as proto3 leaves out an empty bytes field.
        if (this.hasContent(plan, v)) {
          w.uint32(18);
          w.fork();
          this.writeMessage(plan, v, w, 0);
          w.ldelim();
        } else {
          // Only validated: whatever it wrote is dropped.
          const at = w.pos;
          this.writeMessage(plan, v, w, 0);
          w.pos = at;
        }
        return;
      }
      if (v.value instanceof Uint8Array) return void writeAnyBytes(w, v.value);
      throw invalidArgument(`baton-fivetran: cannot pack unknown message type ${typeUrl}`);
    }
    const url = 'typeUrl' in v ? v.typeUrl : v.type_url;
    if (typeof url === 'string' && url !== '') {
      w.uint32(10);
      w.string(url);
    }
    writeAnyBytes(w, v.value);
  }

  /** Whether writeMessage would write at least one byte for `obj` (it also validates, when it would not). */
  private hasContent(plan: TypePlan, obj: Obj): boolean {
    for (const fp of plan.fields) {
      const v = obj[fp.name];
      if (v === undefined || v === null) continue;
      if (fp.kind === 'map') {
        if (hasOwnKey(v as Obj)) return true;
      } else if (fp.repeated) {
        if ((v as unknown[]).length > 0) return true;
      } else if (fp.kind !== 'scalar') return true;
      else if ((fp.inOneof || !isZero(fp, v)) && fp.convert(v) !== SKIP) return true;
    }
    return false;
  }
}

const writeAnyBytes = (w: Writer, value: unknown): void => {
  if (value instanceof Uint8Array && value.length > 0) {
    w.uint32(18);
    w.bytes(value);
  }
};
