import type { Resource, ResourceId } from './model.js';

// Standard baton id formats: raw ':' joins, no escaping (a contract with C1 and the baton CLI).

export const resourceId = (resourceType: string, resource: string): ResourceId => ({
  resourceType,
  resource,
});

/** `<resource_type>:<resource>`: the c1z external id of a resource. */
export const resourceKey = (id: ResourceId): string => `${id.resourceType}:${id.resource}`;

/** `<resource_type>:<resource_id>:<slug>` */
export const entitlementId = (resource: ResourceId | Resource, slug: string): string => {
  const id = 'resourceType' in resource ? resource : resource.id;
  return `${id.resourceType}:${id.resource}:${slug}`;
};

/** `<entitlement_id>:<principal_type>:<principal_id>` */
export const grantId = (entitlement: string, principal: ResourceId | Resource): string => {
  const id = 'resourceType' in principal ? principal : principal.id;
  return `${entitlement}:${id.resourceType}:${id.resource}`;
};

/**
 * Splits an entitlement id of the form `<type>:<id>:<slug>` given the resource id it belongs to.
 * Slugs may contain ':' and spaces, so we strip the known prefix instead of splitting.
 */
export const entitlementSlug = (entitlement: string, resource: ResourceId): string | undefined => {
  const prefix = `${resource.resourceType}:${resource.resource}:`;
  return entitlement.startsWith(prefix) ? entitlement.slice(prefix.length) : undefined;
};
