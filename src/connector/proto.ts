// The single protobuf codec: every .proto under <repo>/protos in one protobufjs Root, used for c1z rows, gRPC
// messages and protojson-style display. Objects use the model's shape (see model.ts); Any values are
// `{ '@type': typeUrl, ...fields }`. Encoding matches Go's deterministic marshalling: fields by number,
// proto3 zero scalars omitted, map entries sorted by key bytes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { embeddedKeys, embeddedText, runningAsSingleExecutable } from './embedded-assets.js';
import { internal, invalidArgument } from './errors.js';
import type { TypeUrl } from './model.js';
import { EncodeMemo, ProtoEncoder } from './proto-encoder.js';
export { EncodeMemo };
import { ProtoTypeCache } from './proto-type-cache.js';

/** The nearest `protos/` above this module: <repo>/protos from src/, dist/ or any other build folder. */
const findProtosDir = (): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'protos', 'c1'))) return join(dir, 'protos');
    if (dirname(dir) === dir) throw internal('baton-fivetran: cannot find the protos/ folder');
  }
};
const ANY = '.google.protobuf.Any';
const TYPE_URL_PREFIX = 'type.googleapis.com/';
const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

type Obj = Record<string, unknown>;

/** A google.protobuf.Any with its payload still encoded. */
export interface PackedAny {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface DecodeOptions {
  /** Add the virtual oneof-name property (e.g. `taskType: 'syncFull'`). Default true; never on google.protobuf.*. */
  readonly oneofs?: boolean;
}

export interface DisplayOptions {
  /** Wrap the message as the SDK's `capabilities` command does: `{ "@type": ..., ...fields }`. */
  readonly asAny?: boolean;
}

let cachedRoot: protobuf.Root | undefined;

interface Codec {
  readonly types: ProtoTypeCache;
  readonly encoder: ProtoEncoder;
  readonly decodePlans: Map<protobuf.Type, DecodePlan>;
}

let cachedCodec: Codec | undefined;

/** One .proto file: its path relative to protos/ with '/' separators (as imports name it), and its text. */
export interface ProtoSource {
  readonly name: string;
  readonly text: string;
}

const readProtoDir = (dir: string): ProtoSource[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.proto'))
    .map((e) => join(e.parentPath, e.name))
    .map((path) => ({ name: relative(dir, path).split(sep).join('/'), text: readFileSync(path, 'utf8') }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));

/** The `protos/**.proto` assets of a single executable (the build embeds them under these keys). */
const readEmbeddedProtos = (): ProtoSource[] =>
  embeddedKeys('protos/')
    .filter((k) => k.endsWith('.proto'))
    .map((k) => ({ name: k.slice('protos/'.length), text: embeddedText(k)! }));

/** Our .proto files: embedded in a single executable, otherwise read from the nearest protos/ folder. */
const protoSources = (): ProtoSource[] => {
  if (!runningAsSingleExecutable()) return readProtoDir(findProtosDir());
  const sources = readEmbeddedProtos();
  if (sources.length === 0) throw internal('baton-fivetran: this executable was built without its protos');
  return sources;
};

/**
 * A resolved Root of `sources`, read from memory only: google/protobuf/* imports come from protobufjs's bundled
 * copies, and every other import must be one of `sources`.
 */
export const buildProtoRoot = (sources: readonly ProtoSource[]): protobuf.Root => {
  const root = new protobuf.Root();
  const ours = new Set(sources.map((s) => s.name));
  const imports = new Set<string>();
  for (const { text } of sources) {
    for (const imported of protobuf.parse(text, root, { keepCase: false }).imports ?? [])
      imports.add(imported);
  }
  const external = [...imports].filter((i) => !ours.has(i));
  const missing = external.filter((i) => protobuf.common.get(i) === null);
  if (missing.length > 0)
    throw internal(`baton-fivetran: protos import missing files: ${missing.join(', ')}`);
  root.loadSync(external, { keepCase: false }); // bundled definitions only: loadSync reads no file for them
  root.resolveAll();
  return root;
};

/** The Root holding every message we use; loaded once, then shared (it is immutable after loading). */
export const protoRoot = (): protobuf.Root => {
  cachedRoot ??= buildProtoRoot(protoSources());
  return cachedRoot;
};

/** Lookup caches and encoder plans derived from the (immutable) Root, so they live as long as it does. */
const codec = (): Codec => {
  if (cachedCodec) return cachedCodec;
  const types = new ProtoTypeCache(protoRoot());
  cachedCodec = { types, encoder: new ProtoEncoder(types), decodePlans: new Map() };
  return cachedCodec;
};

/** Builds the codec now (about 25 ms of CPU the first time), so that the first encode or decode need not. */
export const prepareProtoCodec = (): void => {
  codec();
};

const lookupType = (name: string): protobuf.Type | undefined => codec().types.byName(name);
const lookupTypeUrl = (typeUrl: string): protobuf.Type | undefined => codec().types.byTypeUrl(typeUrl);

const typeOf = (fullName: string): protobuf.Type => {
  const type = lookupType(fullName);
  if (!type) throw internal(`baton-fivetran: unknown protobuf message ${fullName}`);
  return type;
};

const isWellKnown = (type: protobuf.Type): boolean => type.fullName.startsWith('.google.protobuf.');
const isRealOneof = (o: protobuf.OneOf | null): o is protobuf.OneOf => o !== null && !o.isProto3Optional;

// ---- encode -------------------------------------------------------------------------------------------

const encodeWith = (type: protobuf.Type, obj: object, memo?: EncodeMemo): Uint8Array =>
  codec().encoder.encode(type, obj, memo);

/** Deterministic protobuf binary of a model-shaped object: the same input always gives the same bytes. */
/** With a `memo`, sub-messages shared with earlier calls using the same memo are encoded once. */
export const encodeMessage = (fullName: string, obj: object, memo?: EncodeMemo): Uint8Array =>
  encodeWith(typeOf(fullName), obj, memo);

// ---- decode -------------------------------------------------------------------------------------------

const TO_OBJECT: protobuf.IConversionOptions = {
  enums: String,
  longs: Number,
  defaults: false,
  oneofs: true,
};

// fromWire reads plans only, never protobufjs Type objects: their shapes differ from one type to the next,
// which made V8 drop and recompile the optimised fromWire several times a sync.
interface DecodePlan {
  readonly isAny: boolean;
  /** Virtual oneof properties toObject adds: all of them, and those dropped even when `oneofs` is on. */
  readonly allOneofs: readonly string[];
  readonly hiddenOneofs: readonly string[];
  readonly messageFields: readonly MessageFieldPlan[];
}

interface MessageFieldPlan {
  readonly name: string;
  readonly map: boolean;
  readonly repeated: boolean;
  readonly type: protobuf.Type;
  /** The plan of `type`, set on first use (types can be recursive). */
  sub: DecodePlan | undefined;
}

const decodePlan = (type: protobuf.Type): DecodePlan => {
  const plans = codec().decodePlans;
  let plan = plans.get(type);
  if (!plan) {
    plan = {
      isAny: type.fullName === ANY,
      allOneofs: type.oneofsArray.map((o) => o.name),
      hiddenOneofs: type.oneofsArray.filter((o) => !isRealOneof(o) || isWellKnown(type)).map((o) => o.name),
      messageFields: type.fieldsArray.flatMap((f) =>
        f.resolvedType instanceof protobuf.Type
          ? [{ name: f.name, map: f.map, repeated: f.repeated, type: f.resolvedType, sub: undefined }]
          : [],
      ),
    };
    plans.set(type, plan);
  }
  return plan;
};

const fromWireValue = (f: MessageFieldPlan, e: unknown, oneofs: boolean): unknown => {
  const plan = (f.sub ??= decodePlan(f.type));
  if (!plan.isAny) return fromWire(plan, e as Obj, oneofs);
  const w = e as { type_url?: string; value?: Uint8Array };
  return unpackWith({ typeUrl: w.type_url ?? '', value: w.value ?? new Uint8Array() }, oneofs);
};

/** protobufjs toObject output -> model shape: Anys expanded, synthetic/well-known oneof markers removed. */
const fromWire = (plan: DecodePlan, obj: Obj, oneofs: boolean): Obj => {
  for (const name of oneofs ? plan.hiddenOneofs : plan.allOneofs) delete obj[name];
  for (const f of plan.messageFields) {
    const v = obj[f.name];
    if (v === undefined) continue;
    if (f.map) {
      for (const k of Object.keys(v as Obj)) (v as Obj)[k] = fromWireValue(f, (v as Obj)[k], oneofs);
    } else if (f.repeated) {
      const list = v as unknown[];
      for (let i = 0; i < list.length; i++) list[i] = fromWireValue(f, list[i], oneofs);
    } else {
      obj[f.name] = fromWireValue(f, v, oneofs);
    }
  }
  return obj;
};

const decodeWith = (type: protobuf.Type, bytes: Uint8Array, oneofs: boolean): Obj =>
  fromWire(decodePlan(type), type.toObject(type.decode(bytes), TO_OBJECT), oneofs);

/**
 * Protobuf binary -> model shape: camelCase, enums as names, int64 as numbers, bytes as Buffer, unset fields
 * absent, Any expanded to `{ '@type', ...fields }` (unknown types stay `{ '@type', value }`).
 */
export const decodeMessage = <T = Obj>(fullName: string, bytes: Uint8Array, opts: DecodeOptions = {}): T => {
  const type = typeOf(fullName);
  try {
    return decodeWith(type, bytes, opts.oneofs ?? true) as T;
  } catch (err) {
    throw invalidArgument(
      `baton-fivetran: cannot decode ${type.fullName.slice(1)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
};

// ---- Any ----------------------------------------------------------------------------------------------

export const typeUrlOf = (fullName: string): TypeUrl => `${TYPE_URL_PREFIX}${fullName.replace(/^\./, '')}`;

/** google.protobuf.Any of a model-shaped message, payload encoded deterministically. */
export const packAny = (fullName: string, obj: object): PackedAny => ({
  typeUrl: typeUrlOf(fullName),
  value: encodeMessage(fullName, obj),
});

const unpackWith = (any: PackedAny, oneofs: boolean): Obj => {
  const type = lookupTypeUrl(any.typeUrl);
  if (!type) return { '@type': any.typeUrl, value: any.value };
  return { '@type': any.typeUrl, ...decodeWith(type, any.value, oneofs) };
};

/** `{ typeUrl, value }` -> `{ '@type', ...fields }`, or `{ '@type', value }` for a type not in protos/. */
export const unpackAny = (any: PackedAny, opts: DecodeOptions = {}): Obj =>
  unpackWith(any, opts.oneofs ?? true);

// ---- protojson-style display --------------------------------------------------------------------------

const fraction = (nanos: number): string => {
  if (!nanos) return '';
  const digits = String(nanos).padStart(9, '0');
  return `.${digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits}`;
};

const scalarJson = (field: protobuf.Field, v: unknown): unknown => {
  if (LONGS.has(field.type)) return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
};

const wellKnownJson = (name: string, obj: Obj): unknown => {
  const seconds = Number(obj.seconds ?? 0);
  const nanos = Number(obj.nanos ?? 0);
  switch (name) {
    case '.google.protobuf.Timestamp':
      return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction(nanos)}Z`;
    case '.google.protobuf.Duration': {
      const neg = seconds < 0 || nanos < 0;
      return `${neg ? '-' : ''}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
    }
    case '.google.protobuf.Struct':
      return Object.fromEntries(
        Object.entries((obj.fields ?? {}) as Obj).map(([k, e]) => [
          k,
          wellKnownJson('.google.protobuf.Value', e as Obj),
        ]),
      );
    case '.google.protobuf.ListValue':
      return ((obj.values ?? []) as Obj[]).map((e) => wellKnownJson('.google.protobuf.Value', e));
    case '.google.protobuf.Value':
      if ('structValue' in obj) return wellKnownJson('.google.protobuf.Struct', obj.structValue as Obj);
      if ('listValue' in obj) return wellKnownJson('.google.protobuf.ListValue', obj.listValue as Obj);
      if ('nullValue' in obj) return null;
      return obj.numberValue ?? obj.stringValue ?? obj.boolValue;
    default:
      return undefined;
  }
};

const anyJson = (obj: Obj): Obj => {
  const typeUrl = String(obj['@type']);
  const type = lookupTypeUrl(typeUrl);
  if (!type) return { '@type': typeUrl, value: scalarJson({ type: 'bytes' } as protobuf.Field, obj.value) };
  const body = messageJson(type, obj);
  return isWellKnown(type) && type.fullName !== '.google.protobuf.Empty'
    ? { '@type': typeUrl, value: body }
    : { '@type': typeUrl, ...(body as Obj) };
};

const messageJson = (type: protobuf.Type, obj: Obj): unknown => {
  const wk = wellKnownJson(type.fullName, obj);
  if (wk !== undefined) return wk;
  const out: Obj = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (v === undefined) continue;
    const rt = field.resolvedType;
    const conv = (e: unknown): unknown =>
      rt instanceof protobuf.Type
        ? rt.fullName === ANY
          ? anyJson(e as Obj)
          : messageJson(rt, e as Obj)
        : scalarJson(field, e);
    if (field.map)
      out[field.name] = Object.fromEntries(Object.entries(v as Obj).map(([k, e]) => [k, conv(e)]));
    else out[field.name] = field.repeated ? (v as unknown[]).map(conv) : conv(v);
  }
  return out;
};

/**
 * Pretty JSON (2-space indent, no trailing newline) in protojson form: camelCase names in declaration order,
 * enums by name, 64-bit integers as strings, bytes as base64, Timestamp/Duration/Struct in their JSON forms.
 */
export const toJsonForDisplay = (fullName: string, obj: object, opts: DisplayOptions = {}): string => {
  const type = typeOf(fullName);
  const canonical = decodeWith(type, encodeWith(type, obj), false);
  const json = opts.asAny
    ? anyJson({ '@type': typeUrlOf(fullName), ...canonical })
    : messageJson(type, canonical);
  return JSON.stringify(json, null, 2);
};
