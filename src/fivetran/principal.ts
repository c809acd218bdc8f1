import { invalidArgument } from '../connector/index.js';
import type { Entitlement, Resource } from '../connector/index.js';

/** The principal's type and Fivetran id, or InvalidArgument when this entitlement cannot go to that type. */
export const principalOf = <T extends string>(
  principal: Resource,
  entitlement: Entitlement,
  allowed: readonly T[],
  action: string,
): { readonly type: T; readonly id: string } => {
  const type = principal.id.resourceType;
  if (!(allowed as readonly string[]).includes(type)) {
    throw invalidArgument(
      `baton-fivetran: ${action} ${entitlement.id} for ${type}:${principal.id.resource}: ` +
        `principal type "${type}" is not supported (allowed: ${allowed.join(', ')})`,
    );
  }
  if (!principal.id.resource) {
    throw invalidArgument(`baton-fivetran: ${action} ${entitlement.id}: the principal has an empty id`);
  }
  return { type: type as T, id: principal.id.resource };
};
