import type { Grant, Resource, ResourceId } from '../connector/index.js';
import type { StoredGrant } from '../connector/index.js';
import { decodeGrantRow, type GrantDataRow } from './row-decoding.js';

const ENTITLEMENT_FIELD = 1;
const PRINCIPAL_FIELD = 2;
/**
 * Where a tracked object keeps its bytes: a non-enumerable own property, so spreads, equality and the encoder
 * never see it, and the bytes are collected with the object (a WeakMap's values can outlive young keys
 * until a full GC).
 */
const STORED_BYTES = Symbol('storedBytes');

const attach = <T extends object>(obj: T, bytes: Uint8Array): T =>
  Object.defineProperty(obj, STORED_BYTES, { value: bytes, enumerable: false });

/**
 * Resources whose stored encoding the writer already holds: stand-ins for stored resources (a frozen `{ id }`)
 * and principals of grants it decoded from its rows (deep-frozen, so the bytes stay true to them). A grant
 * written with one of them as principal copies those bytes instead of encoding the resource again. The
 * bytes live on the object itself, so they go as soon as the caller drops it.
 */
export class StoredResourceBytes {
  ref(id: ResourceId, data: Uint8Array): Resource {
    const r: Resource = { id: Object.freeze({ resourceType: id.resourceType, resource: id.resource }) };
    return Object.freeze(attach(r, data));
  }

  /**
   * Decodes a grant row without its entitlement and principal, which become stand-ins for their stored bytes:
   * the principal a frozen `{ id }`, the entitlement a frozen `{ id, resource: { id } }` (from the row's
   * columns). Decoding them is most of the work of reading a grant, and expansion needs only their ids.
   */
  decodeWithRefs(
    row: GrantDataRow,
    principalId: ResourceId,
    entitlement: { readonly id: string; readonly resource: { readonly id: ResourceId } },
  ): StoredGrant {
    const e = fieldRange(row.data, ENTITLEMENT_FIELD);
    const p = fieldRange(row.data, PRINCIPAL_FIELD);
    if (!e || !p || e.end !== p.start) return decodeGrantRow(row);
    // Fields are stored by number: entitlement (1) then principal (2), together.
    const rest = new Uint8Array(row.data.length - (p.end - e.start));
    rest.set(row.data.subarray(0, e.start), 0);
    rest.set(row.data.subarray(p.end), e.start);
    const stored = decodeGrantRow({ ...row, data: rest });
    const entitlementRef = deepFreeze(
      attach(
        { id: entitlement.id, resource: { id: { ...entitlement.resource.id } } },
        row.data.subarray(e.payload, e.end),
      ),
    );
    const principal = this.ref(principalId, row.data.subarray(p.payload, p.end));
    return { ...stored, grant: { ...stored.grant, entitlement: entitlementRef, principal } };
  }

  /** Remembers the principal of `grant`, decoded from `data`, with its bytes inside `data`. */
  trackPrincipal(grant: Grant, data: Uint8Array): void {
    const field = fieldRange(data, PRINCIPAL_FIELD);
    const bytes = field && data.subarray(field.payload, field.end);
    const p = grant.principal as Resource | undefined;
    if (bytes === undefined || typeof p !== 'object' || p === null || Object.isFrozen(p)) return;
    deepFreeze(attach(p, bytes));
  }

  /** The stored bytes behind `r` (a resource or entitlement stand-in) when it is one, else undefined. */
  bytesOf(r: object | undefined): Uint8Array | undefined {
    if (r === undefined || r === null || !Object.isFrozen(r)) return undefined;
    const bytes = (r as { [STORED_BYTES]?: unknown })[STORED_BYTES];
    return bytes instanceof Uint8Array ? bytes : undefined;
  }
}

interface FieldRange {
  /** Where the field's key starts, where its payload starts, and where it ends. */
  readonly start: number;
  readonly payload: number;
  readonly end: number;
}

/** The first top-level length-delimited field `wanted` of an encoded message (undefined when absent). */
function fieldRange(data: Uint8Array, wanted: number): FieldRange | undefined {
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    for (let shift = 0; pos < data.length; shift += 7) {
      const b = data[pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
    return -1;
  };
  while (pos < data.length) {
    const start = pos;
    const key = varint();
    if (key < 0) return undefined;
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        if (varint() < 0) return undefined;
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const len = varint();
        if (len < 0 || pos + len > data.length) return undefined;
        if (field === wanted) return { start, payload: pos, end: pos + len };
        pos += len;
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value))
    return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
