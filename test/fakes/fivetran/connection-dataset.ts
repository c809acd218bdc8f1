import type { FakeGroup, FakeTeam, FakeUser } from './entities.js';
import type { FakeConnection, FakeConnectionMembershipRow, FakeSystemKey } from './connection-entities.js';
import { IdAllocator } from './id-allocator.js';
import { SeededRandom } from './seeded-random.js';

export interface ConnectionDatasetOptions {
  /** Connections spread over the groups; default 0 (and then no memberships either). */
  connections?: number;
  /** Mean direct connection memberships per user; default 0.5. */
  connectionMembershipsPerUser?: number;
  /** Mean connection memberships per team; default 1. */
  connectionMembershipsPerTeam?: number;
  /** System keys; default 0. */
  systemKeys?: number;
}

export interface ConnectionDataset {
  readonly connections: readonly FakeConnection[];
  readonly userConnections: readonly FakeConnectionMembershipRow[];
  readonly teamConnections: readonly FakeConnectionMembershipRow[];
  readonly systemKeys: readonly FakeSystemKey[];
}

const SERVICES = ['google_sheets', 'salesforce', 'postgres', 'hubspot', 'stripe', 'snowflake_db'];
const CURRENT_CONNECTION_ROLES = ['Manage Connection', 'Edit Connection', 'View Connection'];
const DEPRECATED_CONNECTION_ROLES = ['Connector Administrator', 'Connector Reviewer'];
const SETUP_STATES = ['connected', 'connected', 'connected', 'incomplete', 'broken'];
const DAY_MS = 86_400_000;

/**
 * Connections, connection memberships and system keys for a dataset. A random stream of their own (seeded from
 * the dataset seed), so adding them leaves every other generated record exactly as before.
 */
export function generateConnectionDataset(
  seed: number,
  o: ConnectionDatasetOptions,
  base: {
    users: readonly FakeUser[];
    groups: readonly FakeGroup[];
    teams: readonly FakeTeam[];
    usedIds: Iterable<string>;
  },
): ConnectionDataset {
  const count = o.connections ?? 0;
  const keyCount = o.systemKeys ?? 0;
  if ((count === 0 || base.groups.length === 0) && keyCount === 0) {
    return { connections: [], userConnections: [], teamConnections: [], systemKeys: [] };
  }
  const rnd = new SeededRandom(seed ^ 0xc0ffee);
  const ids = new IdAllocator(rnd, base.usedIds);
  const at = (i: number) => new Date(Date.UTC(2022, 0, 1) + i * DAY_MS).toISOString();
  const connections: FakeConnection[] = [];
  for (let i = 0; i < count && base.groups.length > 0; i++) {
    const service = rnd.pick(SERVICES);
    const id = ids.next();
    connections.push({
      id,
      group_id: base.groups[i % base.groups.length]!.id,
      service,
      schema: `${service}_${id.split('_')[0]}${i}`,
      paused: rnd.chance(0.15),
      sync_frequency: rnd.pick([5, 15, 60, 360, 1440]),
      created_at: at(i),
      connected_by: base.users[0]!.id,
      status: {
        setup_state: rnd.pick(SETUP_STATES),
        sync_state: 'scheduled',
        update_state: 'on_schedule',
        is_historical_sync: false,
      },
      config: { user: `svc_${i}`, password: `connection-password-${id}` },
    });
  }
  const role = (i: number) =>
    i < DEPRECATED_CONNECTION_ROLES.length
      ? DEPRECATED_CONNECTION_ROLES[i]!
      : rnd.chance(0.1)
        ? rnd.pick(DEPRECATED_CONNECTION_ROLES)
        : rnd.pick(CURRENT_CONNECTION_ROLES);
  /** Each owner's direct roles on `perOwner` (on average) distinct connections. */
  const membershipRows = (owners: readonly { readonly id: string }[], perOwner: number) => {
    const rows: FakeConnectionMembershipRow[] = [];
    for (const owner of owners) {
      for (const c of pickDistinct(rnd, connections, rnd.count(perOwner))) {
        rows.push({
          owner_id: owner.id,
          connection_id: c.id,
          role: role(rows.length),
          created_at: at(rows.length),
        });
      }
    }
    return rows;
  };
  const none = connections.length === 0;
  const userConnections = none ? [] : membershipRows(base.users, o.connectionMembershipsPerUser ?? 0.5);
  const teamConnections = none ? [] : membershipRows(base.teams, o.connectionMembershipsPerTeam ?? 1);
  const systemKeys: FakeSystemKey[] = [];
  for (let i = 0; i < keyCount; i++) {
    const expired = i % 3 === 1;
    systemKeys.push({
      id: ids.next(),
      name: `${['ci', 'airflow', 'dbt', 'backup'][i % 4]}_key_${i}`,
      key: `ft_fakekeyvalue${i}`,
      created_at: at(i),
      updated_at: at(i + 1),
      ...(i % 3 === 2 ? {} : { expired_at: expired ? at(100 + i) : '2099-01-01T00:00:00Z' }),
      ...(i % 2 === 0 ? { last_used_at: at(200 + i) } : {}),
      permissions: [
        { resource_type: 'CONNECTOR', access_level: i % 2 === 0 ? 'MANAGE' : 'READ' },
        { resource_type: 'DESTINATION', access_level: 'READ' },
      ],
    });
  }
  return { connections, userConnections, teamConnections, systemKeys };
}

function pickDistinct<T>(rnd: SeededRandom, items: readonly T[], count: number): T[] {
  const chosen = new Set<T>();
  const n = Math.min(count, items.length);
  while (chosen.size < n) chosen.add(rnd.pick(items));
  return [...chosen];
}
