import type { Resource, ResourceType } from '../connector/index.js';
import { hasAnnotation, internal, resourceKey, traitAnnotationName } from '../connector/index.js';

/** A resource the engine can store: both parts of its id are non-empty. */
export const hasResourceId = (r: Pick<Resource, 'id'> | undefined): r is Resource =>
  !!r?.id?.resourceType && !!r.id.resource;

/**
 * Connector-bug checks on a listed resource (connector-model §2.3, §3.2): no `BatonID` annotation, and the
 * trait annotation its type declares. Throws an Internal error naming the listing and the resource.
 */
export function checkResource(what: string, type: ResourceType, resource: Resource): void {
  const key = resourceKey(resource.id);
  if (hasAnnotation(resource.annotations, 'BatonID')) {
    throw internal(`baton-fivetran: ${what} failed: resource ${key} carries a BatonID annotation`);
  }
  for (const trait of type.traits ?? []) {
    const name = traitAnnotationName[trait];
    if (name && !hasAnnotation(resource.annotations, name)) {
      throw internal(`baton-fivetran: ${what} failed: resource was missing expected trait ${name} (${key})`);
    }
  }
}

type Annotated = { readonly annotations?: Resource['annotations'] } | undefined;

const skips = (name: string, ...on: Annotated[]) =>
  on.some(
    (x) => hasAnnotation(x?.annotations, 'SkipEntitlementsAndGrants') || hasAnnotation(x?.annotations, name),
  );

/** `SkipEntitlements` or `SkipEntitlementsAndGrants` on the type or the resource. */
export const skipsEntitlements = (type: Annotated, resource?: Annotated): boolean =>
  skips('SkipEntitlements', type, resource);

/** `SkipGrants` or `SkipEntitlementsAndGrants` on the type or the resource. */
export const skipsGrants = (type: Annotated, resource?: Annotated): boolean =>
  skips('SkipGrants', type, resource);
