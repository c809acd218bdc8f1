import {
  decodeMessage,
  type Entitlement,
  type Grant,
  type Resource,
  type ResourceType,
} from '../connector/index.js';
import type { GrantExpansion, StoredGrant } from '../connector/index.js';
import { PROTO } from './row-encoding.js';

/** The columns a grant read needs: row id, protobuf data and the expansion column. */
export interface GrantDataRow {
  readonly id: number;
  readonly data: Uint8Array;
  readonly expansion: Uint8Array | null;
}

export const decodeResourceType = (data: Uint8Array): ResourceType =>
  decodeMessage<ResourceType>(PROTO.resourceType, data);
export const decodeResource = (data: Uint8Array): Resource => decodeMessage<Resource>(PROTO.resource, data);
export const decodeEntitlement = (data: Uint8Array): Entitlement =>
  decodeMessage<Entitlement>(PROTO.entitlement, data);
const decodeGrant = (data: Uint8Array): Grant => decodeMessage<Grant>(PROTO.grant, data);

interface DecodedExpandable {
  readonly entitlementIds?: readonly string[];
  readonly shallow?: boolean;
  readonly resourceTypeIds?: readonly string[];
}

function decodeExpansion(bytes: Uint8Array): GrantExpansion {
  const d = decodeMessage<DecodedExpandable>(PROTO.grantExpandable, bytes);
  return {
    entitlementIds: [...(d.entitlementIds ?? [])],
    ...(d.shallow ? { shallow: true } : {}),
    ...(d.resourceTypeIds?.length ? { resourceTypeIds: [...d.resourceTypeIds] } : {}),
  };
}

export function decodeGrantRow(row: GrantDataRow): StoredGrant {
  const grant = decodeGrant(row.data);
  return row.expansion && row.expansion.length > 0
    ? { grant, expansion: decodeExpansion(row.expansion) }
    : { grant };
}
