import { resourceId } from '../connector/index.js';
import type {
  CallOptions,
  Entitlement,
  Grant,
  GrantResult,
  ListRequest,
  Page,
  Provisioner,
  Resource,
  ResourceGetter,
  ResourceId,
  ResourceSyncer,
  RevokeResult,
} from '../connector/index.js';
import { groupResource } from './group-resource.js';
import { groupRoleEntitlement } from './entitlements.js';
import { emptyIfGone, rateLimitAnnotations, type FivetranContext } from './fivetran-context.js';
import { grantGroupRole, membershipRoleGrant, revokeGroupRole } from './membership-role.js';
import { GROUP_TYPE } from './resource-types.js';

/** `group` resources (destination groups), one entitlement per destination role, user grants. */
export class GroupSyncer implements ResourceSyncer, ResourceGetter, Provisioner {
  readonly resourceType = GROUP_TYPE;

  constructor(readonly ctx: FivetranContext) {}

  async list(_parent: ResourceId | undefined, req: ListRequest): Promise<Page<Resource>> {
    const page = await this.ctx.api.listGroups({ cursor: req.pageToken || undefined, signal: req.signal });
    return {
      items: page.items.map(groupResource),
      nextPageToken: page.nextCursor,
      annotations: rateLimitAnnotations(this.ctx),
    };
  }

  /** One group for a targeted sync: `GET /v1/groups/<id>`, undefined on 404. */
  async get(id: ResourceId, _parent: ResourceId | undefined, o: CallOptions): Promise<Resource | undefined> {
    const group = await this.ctx.api.getGroup(id.resource, o);
    return group && groupResource(group);
  }

  async entitlements(resource: Resource, req: ListRequest): Promise<Page<Entitlement>> {
    const roles = await this.ctx.roles.get(req);
    return { items: roles.destinationRoles().map((r) => groupRoleEntitlement(resource, r)) };
  }

  /**
   * Direct user roles on the group. Rows with an empty role see the group only through their account
   * role, so they get no grant; team grants on groups come from the team syncer.
   */
  async grants(resource: Resource, req: ListRequest): Promise<Page<Grant>> {
    const groupId = resource.id.resource;
    const [roles, page] = await Promise.all([
      this.ctx.roles.get(req),
      emptyIfGone(
        this.ctx,
        `group:${groupId}`,
        this.ctx.api.listGroupUsers(groupId, { cursor: req.pageToken || undefined, signal: req.signal }),
      ),
    ]);
    const items: Grant[] = [];
    for (const u of page.items) {
      const role = roles.normalise(u.role);
      if (role === undefined) continue;
      if (!roles.isDestinationRole(role)) {
        this.ctx.log.debug(
          { resourceId: `group:${resource.id.resource}`, role },
          'skipping unknown group role',
        );
        continue;
      }
      items.push(membershipRoleGrant(resource, role, { id: resourceId('user', u.id) }));
    }
    return { items, nextPageToken: page.nextCursor, annotations: rateLimitAnnotations(this.ctx) };
  }

  grant(principal: Resource, entitlement: Entitlement, o: CallOptions): Promise<GrantResult> {
    return grantGroupRole(this.ctx, principal, entitlement, o);
  }

  revoke(grant: Grant, o: CallOptions): Promise<RevokeResult> {
    return revokeGroupRole(this.ctx, grant, o);
  }
}
