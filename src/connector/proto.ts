// The single protobuf codec: every .proto under <repo>/protos in one protobufjs Root, used for c1z rows, gRPC
// messages and protojson-style display. Objects use the model's shape (see model.ts); Any values are
// `{ '@type': typeUrl, ...fields }`. Encoding matches Go's deterministic marshalling: fields by number,
// proto3 zero scalars omitted, map entries sorted by key bytes.
import { readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { internal, invalidArgument } from './errors.js';
import type { TypeUrl } from './model.js';

const PROTOS_DIR = fileURLToPath(new URL('../../protos/', import.meta.url));
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

const listProtoFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.proto'))
    .map((e) => join(e.parentPath, e.name))
    .sort();

/** The Root holding every message we use; loaded once, then shared (it is immutable after loading). */
export const protoRoot = (): protobuf.Root => {
  if (cachedRoot) return cachedRoot;
  const root = new protobuf.Root();
  // Imports are relative to protos/; google/protobuf/* come from protobufjs's bundled copies before this runs.
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTOS_DIR, target));
  root.loadSync(listProtoFiles(PROTOS_DIR), { keepCase: false });
  root.resolveAll();
  cachedRoot = root;
  return root;
};

const lookupType = (name: string): protobuf.Type | undefined => {
  const found = protoRoot().lookup(name.startsWith('.') ? name.slice(1) : name);
  return found instanceof protobuf.Type ? found : undefined;
};

const typeOf = (fullName: string): protobuf.Type => {
  const type = lookupType(fullName);
  if (!type) throw internal(`baton-fivetran: unknown protobuf message ${fullName}`);
  return type;
};

const nameOfTypeUrl = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
const isWellKnown = (type: protobuf.Type): boolean => type.fullName.startsWith('.google.protobuf.');
const isRealOneof = (o: protobuf.OneOf | null): o is protobuf.OneOf => o !== null && !o.isProto3Optional;

const isZero = (field: protobuf.Field, v: unknown): boolean => {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) return typeof v === 'string' ? rt.values[v] === 0 : v === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'string') return v === '' || (LONGS.has(field.type) && Number(v) === 0);
  return v === false || v === 0;
};

// ---- encode -------------------------------------------------------------------------------------------

/** Model shape -> protobufjs fromObject input: Anys packed, zero scalars dropped, enum names checked. */
const toWire = (type: protobuf.Type, obj: Obj): Obj => {
  if (obj === null || typeof obj !== 'object') {
    throw invalidArgument(`baton-fivetran: expected an object for ${type.fullName.slice(1)}`);
  }
  const out: Obj = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (v === undefined || v === null) continue;
    const rt = field.resolvedType;
    const conv = (e: unknown): unknown => {
      if (rt instanceof protobuf.Type)
        return rt.fullName === ANY ? anyToWire(e as Obj) : toWire(rt, e as Obj);
      if (rt instanceof protobuf.Enum && typeof e === 'string' && rt.values[e] === undefined) {
        throw invalidArgument(`baton-fivetran: ${e} is not a value of ${rt.fullName.slice(1)}`);
      }
      return e;
    };
    if (field.map) {
      out[field.name] = Object.fromEntries(Object.entries(v as Obj).map(([k, e]) => [k, conv(e)]));
    } else if (field.repeated) {
      out[field.name] = (v as unknown[]).map(conv);
    } else if (rt instanceof protobuf.Type || field.partOf !== null || !isZero(field, v)) {
      out[field.name] = conv(v);
    }
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => out[f.name] !== undefined);
    if (set.length > 1) {
      throw invalidArgument(
        `baton-fivetran: ${type.fullName.slice(1)}.${oneof.name} has several members set: ${set.map((f) => f.name).join(', ')}`,
      );
    }
  }
  return out;
};

// Built by hand, so proto3 zero values (an empty payload, most often) are left out here too.
const wireAny = (typeUrl: unknown, value: unknown): Obj => ({
  ...(typeof typeUrl === 'string' && typeUrl !== '' ? { type_url: typeUrl } : {}),
  ...(value instanceof Uint8Array && value.length > 0 ? { value } : {}),
});

const anyToWire = (v: Obj): Obj => {
  const typeUrl = v['@type'];
  if (typeof typeUrl === 'string') {
    const type = lookupType(nameOfTypeUrl(typeUrl));
    if (type) return wireAny(typeUrl, encodeWith(type, v));
    if (v.value instanceof Uint8Array) return wireAny(typeUrl, v.value);
    throw invalidArgument(`baton-fivetran: cannot pack unknown message type ${typeUrl}`);
  }
  return 'typeUrl' in v ? wireAny(v.typeUrl, v.value) : wireAny(v.type_url, v.value);
};

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * protobufjs writes map entries in Object.keys order, and JS puts integer-like keys first; a Proxy lets the
 * encoder see the keys in Go's order (byte-wise sorted) instead.
 */
const sortMaps = (type: protobuf.Type, msg: Obj): void => {
  for (const field of type.fieldsArray) {
    const v = msg[field.name];
    if (v === undefined || v === null || !Object.prototype.hasOwnProperty.call(msg, field.name)) continue;
    const rt = field.resolvedType;
    const sub = rt instanceof protobuf.Type && rt.fullName !== ANY ? rt : undefined;
    if (field.map) {
      const entries = v as Obj;
      const keys = Object.keys(entries).sort(utf8Order);
      if (sub) for (const k of keys) sortMaps(sub, entries[k] as Obj);
      msg[field.name] = new Proxy(entries, { ownKeys: () => keys });
    } else if (sub) {
      for (const e of field.repeated ? (v as Obj[]) : [v as Obj]) sortMaps(sub, e);
    }
  }
};

const encodeWith = (type: protobuf.Type, obj: object): Uint8Array => {
  const msg = type.fromObject(toWire(type, obj as Obj)) as unknown as Obj;
  sortMaps(type, msg);
  return type.encode(msg).finish();
};

/** Deterministic protobuf binary of a model-shaped object: the same input always gives the same bytes. */
export const encodeMessage = (fullName: string, obj: object): Uint8Array => encodeWith(typeOf(fullName), obj);

// ---- decode -------------------------------------------------------------------------------------------

const TO_OBJECT: protobuf.IConversionOptions = {
  enums: String,
  longs: Number,
  defaults: false,
  oneofs: true,
};

/** protobufjs toObject output -> model shape: Anys expanded, synthetic/well-known oneof markers removed. */
const fromWire = (type: protobuf.Type, obj: Obj, oneofs: boolean): Obj => {
  for (const oneof of type.oneofsArray) {
    if (!oneofs || !isRealOneof(oneof) || isWellKnown(type)) delete obj[oneof.name];
  }
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    const rt = field.resolvedType;
    if (v === undefined || !(rt instanceof protobuf.Type)) continue;
    const conv = (e: unknown): unknown => {
      if (rt.fullName !== ANY) return fromWire(rt, e as Obj, oneofs);
      const w = e as { type_url?: string; value?: Uint8Array };
      return unpackWith({ typeUrl: w.type_url ?? '', value: w.value ?? new Uint8Array() }, oneofs);
    };
    if (field.map) {
      for (const [k, e] of Object.entries(v as Obj)) (v as Obj)[k] = conv(e);
    } else {
      obj[field.name] = field.repeated ? (v as unknown[]).map(conv) : conv(v);
    }
  }
  return obj;
};

const decodeWith = (type: protobuf.Type, bytes: Uint8Array, oneofs: boolean): Obj =>
  fromWire(type, type.toObject(type.decode(bytes), TO_OBJECT), oneofs);

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
  const type = lookupType(nameOfTypeUrl(any.typeUrl));
  if (!type) return { '@type': any.typeUrl, value: any.value };
  return { '@type': any.typeUrl, ...decodeWith(type, any.value, oneofs) };
};

/** `{ typeUrl, value }` -> `{ '@type', ...fields }`, or `{ '@type', value }` for a type not in protos/. */
export const unpackAny = (any: PackedAny, opts: DecodeOptions = {}): Obj =>
  unpackWith(any, opts.oneofs ?? true);

// ---- gRPC ---------------------------------------------------------------------------------------------

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * @grpc/grpc-js service definition for a service in protos/ (e.g. 'c1.connectorapi.baton.v1.BatonService'),
 * keyed by method name ('Hello', 'GetTask', ...). Requests and responses go through encodeMessage and
 * decodeMessage, so clients and servers see the same model shape as the rest of the code.
 */
export const grpcServiceDefinition = (serviceFullName: string): ServiceDefinition => {
  const service = protoRoot().lookupService(serviceFullName);
  const def: Record<string, ServiceDefinition[string]> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!.fullName.slice(1);
    const res = m.resolvedResponseType!.fullName.slice(1);
    def[m.name] = {
      path: `/${service.fullName.slice(1)}/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (v: object) => Buffer.from(encodeMessage(req, v)),
      requestDeserialize: (b: Buffer) => decodeMessage(req, b),
      responseSerialize: (v: object) => Buffer.from(encodeMessage(res, v)),
      responseDeserialize: (b: Buffer) => decodeMessage(res, b),
      originalName: lowerFirst(m.name),
    };
  }
  return def;
};

/**
 * A @grpc/proto-loader PackageDefinition of the same Root (`fromJSON(root.toJSON())`, for
 * `grpc.loadPackageDefinition` or reflection), whose service methods use our codec instead of proto-loader's.
 * The proto-loader options only shape its own type definitions: camelCase, enums as String, longs as Number,
 * no defaults, oneofs on, as decodeMessage does.
 */
export const grpcPackageDefinition = (): protoLoader.PackageDefinition => {
  const root = protoRoot();
  const def = protoLoader.fromJSON(root.toJSON(), {
    keepCase: false,
    enums: String,
    longs: Number,
    defaults: false,
    oneofs: true,
  });
  for (const name of collectServices(root)) {
    const methods = def[name] as protoLoader.ServiceDefinition;
    for (const [method, ours] of Object.entries(grpcServiceDefinition(name))) {
      const { requestSerialize, requestDeserialize, responseSerialize, responseDeserialize } = ours;
      Object.assign(methods[method]!, {
        requestSerialize,
        requestDeserialize,
        responseSerialize,
        responseDeserialize,
      });
    }
  }
  return def;
};

const collectServices = (ns: protobuf.NamespaceBase): string[] =>
  ns.nestedArray.flatMap((n) =>
    n instanceof protobuf.Service
      ? [n.fullName.slice(1)]
      : n instanceof protobuf.Namespace || n instanceof protobuf.Type
        ? collectServices(n)
        : [],
  );

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
  const type = lookupType(nameOfTypeUrl(typeUrl));
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
