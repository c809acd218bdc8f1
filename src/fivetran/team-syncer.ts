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
import { TEAM_MANAGER } from './api.js';
import { connectionRole } from './connection-resource.js';
import { teamManagerEntitlement, teamMemberEntitlement } from './entitlements.js';
import { emptyIfGone, rateLimitAnnotations, type FivetranContext } from './fivetran-context.js';
import { membershipRoleGrant } from './membership-role.js';
import { decodePhaseToken, encodePhaseToken } from './page-token.js';
import { grantTeamMembership, revokeTeamMembership } from './team-provisioner.js';
import { TEAM_TYPE } from './resource-types.js';
import { teamGrant, teamResource } from './team-resource.js';

/** The Fivetran listings a team's grant listing walks, in order. */
const TEAM_GRANT_PHASES = ['users', 'groups', 'connections'] as const;

/**
 * `team` resources with `member` and `manager` entitlements. Its grant listing walks three Fivetran
 * listings: the team's users (member/manager grants), the team's groups, which become grants of
 * `group:<g>:<role>` to the team, and the team's connections (`connection:<c>:<role>`, skipped when the sync
 * holds no connections); both expandable through `team:<t>:member`.
 */
export class TeamSyncer implements ResourceSyncer, ResourceGetter, Provisioner {
  readonly resourceType = TEAM_TYPE;

  constructor(readonly ctx: FivetranContext) {}

  async list(_parent: ResourceId | undefined, req: ListRequest): Promise<Page<Resource>> {
    const page = await this.ctx.api.listTeams({ cursor: req.pageToken || undefined, signal: req.signal });
    return {
      items: page.items.map(teamResource),
      nextPageToken: page.nextCursor,
      annotations: rateLimitAnnotations(this.ctx),
    };
  }

  /** One team for a targeted sync: `GET /v1/teams/<id>`, undefined on 404. */
  async get(id: ResourceId, _parent: ResourceId | undefined, o: CallOptions): Promise<Resource | undefined> {
    const team = await this.ctx.api.getTeam(id.resource, o);
    return team && teamResource(team);
  }

  async entitlements(resource: Resource): Promise<Page<Entitlement>> {
    return { items: [teamMemberEntitlement(resource), teamManagerEntitlement(resource)] };
  }

  async grants(team: Resource, req: ListRequest): Promise<Page<Grant>> {
    const teamId = team.id.resource;
    const at = decodePhaseToken(req.pageToken, TEAM_GRANT_PHASES, `list grants for team:${teamId}`);
    const roles = await this.ctx.roles.get(req);
    const items: Grant[] = [];
    let nextPageToken: string | undefined;
    if (at.phase === 'users') {
      const page = await emptyIfGone(
        this.ctx,
        `team:${teamId}`,
        this.ctx.api.listTeamUsers(teamId, { cursor: at.cursor, signal: req.signal }),
      );
      for (const row of page.items) {
        const user: Resource = { id: resourceId('user', row.user_id) };
        items.push(teamGrant(team, 'member', user));
        if (roles.normalise(row.role) === TEAM_MANAGER) items.push(teamGrant(team, 'manager', user));
      }
      nextPageToken = encodePhaseToken(
        page.nextCursor ? { phase: 'users', cursor: page.nextCursor } : { phase: 'groups' },
      );
    } else if (at.phase === 'groups') {
      // No connections in this sync (none in the account, or the type is not synced): nothing to look up.
      // Read before the call: the engine may not know the count yet and then repeats this page later.
      const connections = req.resourceCount?.('connection') !== 0;
      const page = await emptyIfGone(
        this.ctx,
        `team:${teamId}`,
        this.ctx.api.listTeamGroups(teamId, { cursor: at.cursor, signal: req.signal }),
      );
      for (const m of page.items) {
        const role = roles.normalise(m.role);
        if (role === undefined || !roles.isDestinationRole(role)) continue;
        items.push(membershipRoleGrant(resourceId('group', m.id), role, team));
      }
      nextPageToken = page.nextCursor
        ? encodePhaseToken({ phase: 'groups', cursor: page.nextCursor })
        : connections
          ? encodePhaseToken({ phase: 'connections' })
          : undefined;
    } else {
      const page = await emptyIfGone(
        this.ctx,
        `team:${teamId}`,
        this.ctx.api.listConnectionMemberships('team', teamId, { cursor: at.cursor, signal: req.signal }),
      );
      for (const m of page.items) {
        const role = connectionRole(roles, m.role);
        if (role) items.push(membershipRoleGrant(resourceId('connection', m.id), role, team));
      }
      nextPageToken = page.nextCursor
        ? encodePhaseToken({ phase: 'connections', cursor: page.nextCursor })
        : undefined;
    }
    return { items, nextPageToken, annotations: rateLimitAnnotations(this.ctx) };
  }

  grant(principal: Resource, entitlement: Entitlement, o: CallOptions): Promise<GrantResult> {
    return grantTeamMembership(this.ctx, principal, entitlement, o);
  }

  revoke(grant: Grant, o: CallOptions): Promise<RevokeResult> {
    return revokeTeamMembership(this.ctx, grant, o);
  }
}
