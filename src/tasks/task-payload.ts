import { invalidArgument, toStruct } from '../connector/index.js';
import type {
  AccountInfo,
  BatonError,
  Entitlement,
  Grant,
  PlainValue,
  Resource,
  ResourceId,
  Struct,
} from '../connector/index.js';

// Shape checks for task payloads, done before any I/O. Model objects are passed on as decoded.

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

const malformedErrors = new WeakSet<BatonError>();

export const malformed = (task: string, problem: string): BatonError => {
  const err = invalidArgument(`baton-fivetran: malformed ${task} task: ${problem}`);
  malformedErrors.add(err);
  return err;
};

/** Whether `err` is a payload we refused before any I/O: retrying the same task cannot help. */
export const isMalformedTask = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && malformedErrors.has(err as BatonError);

export function readResourceId(task: string, v: unknown, field: string): ResourceId {
  if (!isObj(v)) throw malformed(task, `missing ${field}`);
  if (!nonEmpty(v.resourceType)) throw malformed(task, `missing ${field}.resource_type`);
  if (!nonEmpty(v.resource)) throw malformed(task, `missing ${field}.resource`);
  return v as unknown as ResourceId;
}

export function readResource(task: string, v: unknown, field: string): Resource {
  if (!isObj(v)) throw malformed(task, `missing ${field}`);
  readResourceId(task, v.id, `${field}.id`);
  return v as unknown as Resource;
}

export function readEntitlement(task: string, v: unknown, field: string): Entitlement {
  if (!isObj(v)) throw malformed(task, `missing ${field}`);
  readResource(task, v.resource, `${field}.resource`);
  if (!nonEmpty(v.id)) throw malformed(task, `missing ${field}.id`);
  return v as unknown as Entitlement;
}

export function readGrant(task: string, v: unknown, field: string): Grant {
  if (!isObj(v)) throw malformed(task, `missing ${field}`);
  readEntitlement(task, v.entitlement, `${field}.entitlement`);
  readResource(task, v.principal, `${field}.principal`);
  return v as unknown as Grant;
}

const readStruct = (task: string, v: unknown, field: string): Struct | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw malformed(task, `${field} is not an object`);
  // protobufjs keeps a Struct as { fields }; a JSON-decoded one arrives as a plain object.
  if (isObj(v.fields)) return v as unknown as Struct;
  return toStruct(v as Record<string, PlainValue>);
};

export function readAccountInfo(task: string, v: unknown, field: string): AccountInfo {
  if (!isObj(v)) throw malformed(task, `missing ${field}`);
  if (v.emails !== undefined && !Array.isArray(v.emails))
    throw malformed(task, `${field}.emails is not a list`);
  if (v.login !== undefined && typeof v.login !== 'string')
    throw malformed(task, `${field}.login is not a string`);
  const profile = readStruct(task, v.profile, `${field}.profile`);
  return {
    ...(v.emails ? { emails: v.emails as AccountInfo['emails'] } : {}),
    ...(v.login ? { login: v.login } : {}),
    ...(Array.isArray(v.loginAliases) ? { loginAliases: v.loginAliases as string[] } : {}),
    ...(profile ? { profile } : {}),
  };
}

export function readOptionalBool(task: string, v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw malformed(task, `${field} is not a boolean`);
  return v;
}

export function readOptionalStrings(task: string, v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(nonEmpty)) throw malformed(task, `${field} is not a list of ids`);
  return [...v];
}

export function readOptionalString(task: string, v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw malformed(task, `${field} is not a string`);
  return v;
}
