import {
  EncodeMemo,
  encodeMessage,
  findAnnotation,
  invalidArgument,
  resourceKey,
  withoutAnnotation,
  type AnyMessage,
  type Entitlement,
  type Grant,
  type Resource,
  type ResourceId,
  type ResourceType,
} from '../connector/index.js';

// How each object becomes a row (c1z-format.md §5): external ids, side columns and the protobuf `data`.

export const PROTO = {
  resourceType: 'c1.connector.v2.ResourceType',
  resource: 'c1.connector.v2.Resource',
  entitlement: 'c1.connector.v2.Entitlement',
  grant: 'c1.connector.v2.Grant',
  grantExpandable: 'c1.connector.v2.GrantExpandable',
} as const;

export interface ResourceTypeRow {
  readonly externalId: string;
  readonly data: Uint8Array;
}

export interface ResourceRow {
  readonly resourceTypeId: string;
  readonly externalId: string;
  readonly parentResourceTypeId: string | null;
  readonly parentResourceId: string | null;
  readonly data: Uint8Array;
}

export interface EntitlementRow {
  readonly resourceTypeId: string;
  readonly resourceId: string;
  readonly externalId: string;
  readonly data: Uint8Array;
}

export interface GrantRow {
  readonly resourceTypeId: string;
  readonly resourceId: string;
  readonly entitlementId: string;
  readonly principalResourceTypeId: string;
  readonly principalResourceId: string;
  readonly externalId: string;
  readonly expansion: Uint8Array | null;
  readonly needsExpansion: 0 | 1;
  readonly data: Uint8Array;
}

const GRANT_EXPANDABLE = 'GrantExpandable';

function requireId(value: string | undefined, what: string): string {
  if (!value) throw invalidArgument(`baton-fivetran: write c1z row: ${what} is empty`);
  return value;
}

function requireResourceId(id: ResourceId | undefined, what: string): ResourceId {
  if (!id) throw invalidArgument(`baton-fivetran: write c1z row: ${what} is missing`);
  requireId(id.resourceType, `${what}.resourceType`);
  requireId(id.resource, `${what}.resource (${id.resourceType})`);
  return id;
}

export function resourceTypeRow(rt: ResourceType): ResourceTypeRow {
  return { externalId: requireId(rt.id, 'resource type id'), data: encodeMessage(PROTO.resourceType, rt) };
}

export function resourceRow(r: Resource): ResourceRow {
  const id = requireResourceId(r.id, 'resource id');
  const parent = r.parentResourceId;
  return {
    resourceTypeId: id.resourceType,
    externalId: resourceKey(id),
    // The SDK stores NULL, not '', when there is no parent.
    parentResourceTypeId: parent?.resourceType || null,
    parentResourceId: parent?.resource || null,
    data: encodeMessage(PROTO.resource, r),
  };
}

export function entitlementRow(e: Entitlement, memo?: EncodeMemo): EntitlementRow {
  const externalId = requireId(e.id, 'entitlement id');
  const rid = requireResourceId(e.resource?.id, `resource of entitlement ${externalId}`);
  return {
    resourceTypeId: rid.resourceType,
    resourceId: rid.resource,
    externalId,
    data: encodeMessage(PROTO.entitlement, e, memo),
  };
}

/** The GrantExpandable fields of an annotation, when it names at least one non-blank entitlement id. */
function expansionBytes(annotation: AnyMessage | undefined): Uint8Array | null {
  if (!annotation) return null;
  const { '@type': _type, ...fields } = annotation;
  const ids = Array.isArray(fields['entitlementIds']) ? (fields['entitlementIds'] as unknown[]) : [];
  if (!ids.some((id) => typeof id === 'string' && id.trim() !== '')) return null;
  return encodeMessage(PROTO.grantExpandable, fields);
}

/**
 * `principalBytes`, when given, must be the encoding of `g.principal` (the stored row it was decoded from):
 * it is copied in place of encoding the principal again, giving the same bytes. A `memo` shared by the rows
 * of one page encodes their shared sub-messages (the entitlement's resource) once.
 */
export function grantRow(
  g: Grant,
  principalBytes?: Uint8Array,
  memo?: EncodeMemo,
  entitlementBytes?: Uint8Array,
): GrantRow {
  const externalId = requireId(g.id, 'grant id');
  const entitlementId = requireId(g.entitlement?.id, `entitlement id of grant ${externalId}`);
  // Side columns come from the entitlement's resource, not the principal (c1z-format.md §5.3).
  const rid = requireResourceId(g.entitlement.resource?.id, `entitlement resource of grant ${externalId}`);
  const pid = requireResourceId(g.principal?.id, `principal of grant ${externalId}`);
  const expandable = findAnnotation(g.annotations, GRANT_EXPANDABLE);
  const expansion = expansionBytes(expandable);
  const stored: Grant = expandable
    ? { ...g, annotations: withoutAnnotation(g.annotations, GRANT_EXPANDABLE) }
    : g;
  return {
    resourceTypeId: rid.resourceType,
    resourceId: rid.resource,
    entitlementId,
    principalResourceTypeId: pid.resourceType,
    principalResourceId: pid.resource,
    externalId,
    expansion,
    needsExpansion: expansion ? 1 : 0,
    data: grantData(stored, principalBytes, memo, entitlementBytes),
  };
}

function grantData(
  g: Grant,
  principalBytes: Uint8Array | undefined,
  memo: EncodeMemo | undefined,
  entitlementBytes: Uint8Array | undefined,
): Uint8Array {
  if (!principalBytes && !entitlementBytes) return encodeMessage(PROTO.grant, g, memo);
  const known = memo ?? new EncodeMemo();
  if (entitlementBytes) known.set(g.entitlement, entitlementBytes);
  if (principalBytes) known.set(g.principal, principalBytes);
  return encodeMessage(PROTO.grant, g, known);
}
