import type { Struct, StructValue, Timestamp } from './model.js';

export type PlainValue =
  string | number | boolean | null | undefined | PlainValue[] | { [k: string]: PlainValue };

const toValue = (v: PlainValue): StructValue => {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v) };
};

/** google.protobuf.Struct with keys sorted, so encodings are deterministic. Undefined values are omitted. */
export const toStruct = (obj: Readonly<Record<string, PlainValue>>): Struct => {
  const fields: Record<string, StructValue> = {};
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] !== undefined) fields[key] = toValue(obj[key]);
  }
  return { fields };
};

const fromValue = (v: StructValue): PlainValue => {
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return v.numberValue;
  if ('boolValue' in v) return v.boolValue;
  if ('structValue' in v) return fromStruct(v.structValue);
  if ('listValue' in v) return (v.listValue.values ?? []).map(fromValue);
  return null;
};

export const fromStruct = (s: Struct | undefined): Record<string, PlainValue> => {
  const out: Record<string, PlainValue> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = fromValue(v);
  return out;
};

/** google.protobuf.Timestamp from a Date or ISO string; undefined for missing or unparsable input. */
export const toTimestamp = (value: Date | string | null | undefined): Timestamp | undefined => {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
};
