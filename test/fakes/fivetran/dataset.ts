import type {
  FakeGroup,
  FakeGroupMembershipRow,
  FakeRole,
  FakeTeam,
  FakeTeamGroupRow,
  FakeTeamMembershipRow,
  FakeUser,
} from './entities.js';
import {
  generateConnectionDataset,
  type ConnectionDataset,
  type ConnectionDatasetOptions,
} from './connection-dataset.js';
import { IdAllocator } from './id-allocator.js';
import { ACCOUNT_LEVEL_ROLES, roleCatalogue } from './role-catalogue.js';
import { floorPositive, SeededRandom } from './seeded-random.js';
import { FAMILY_NAMES, GIVEN_NAMES, ID_WORDS } from './words.js';

export interface DatasetOptions extends ConnectionDatasetOptions {
  seed: number;
  /** Total users, at least 3 (admin, reviewer, service account); default 40. */
  users?: number;
  /** Default 6. */
  groups?: number;
  /** Default 4. */
  teams?: number;
  /** Mean direct group memberships per user; default 1.2. */
  groupMembershipsPerUser?: number;
  /** Mean team memberships per user; default 0.8. */
  teamMembershipsPerUser?: number;
  /** Mean group memberships per team; default 1.5. */
  teamGroupsPerTeam?: number;
  /**
   * At most this many users hold an account-wide role (`ACCOUNT_LEVEL_ROLES`: listed on every group); the
   * users past it that drew one get no account role. Default: no cap (about a quarter of the users draw one).
   */
  accountWideUsers?: number;
}

/** A generated, immutable starting point for a fake server; `FakeState` deep-copies it. */
export interface FakeDataset extends ConnectionDataset {
  readonly seed: number;
  readonly accountId: string;
  readonly accountName: string;
  readonly users: readonly FakeUser[];
  readonly groups: readonly FakeGroup[];
  readonly teams: readonly FakeTeam[];
  readonly roles: readonly FakeRole[];
  readonly groupMemberships: readonly FakeGroupMembershipRow[];
  readonly teamMemberships: readonly FakeTeamMembershipRow[];
  readonly teamGroups: readonly FakeTeamGroupRow[];
  /** `users[0]`: the only `Account Administrator`; owner of the `admin` user key. */
  readonly adminUserId: string;
  /** `users[1]`: `Account Reviewer`; owner of the `nonAdminUser` key. */
  readonly reviewerUserId: string;
  /** `users[2]`: `user_type: SERVICE_ACCOUNT`, role `Account Analyst`. */
  readonly serviceAccountUserId: string;
}

const EPOCH_MS = Date.UTC(2021, 0, 1);
const SPAN_MS = 4 * 365 * 24 * 3600 * 1000;
const CURRENT_DESTINATION_ROLES = [
  'Manage Destination',
  'Edit Destination',
  'View Destination',
  'View Destination',
  'Create Connection',
];
const DEPRECATED_DESTINATION_ROLES = ['Destination Administrator', 'Destination Reviewer'];
const TEAM_ACCOUNT_ROLES = [
  'Account Reviewer',
  'Account Analyst',
  'Account Billing',
  'Destination Creator',
  'Compliance Auditor',
];
const USER_ROLE_WEIGHTS: ReadonlyArray<readonly [string | null, number]> = [
  [null, 0.45],
  ['Account Reviewer', 0.15],
  ['Account Analyst', 0.1],
  ['Account Billing', 0.08],
  ['Destination Creator', 0.08],
  ['Compliance Auditor', 0.04],
];

/** Generates a deterministic dataset: the same options always give identical data. */
export function generateDataset(o: DatasetOptions): FakeDataset {
  const rnd = new SeededRandom(o.seed);
  const ids = new IdAllocator(rnd);
  const emails = new Map<string, number>();
  const userCount = Math.max(3, o.users ?? 40);

  const users: FakeUser[] = [];
  for (let i = 0; i < userCount; i++) users.push(randomUser(rnd, ids.next(), emails, i));
  if (o.accountWideUsers !== undefined) capAccountWideUsers(users, o.accountWideUsers);
  const groups: FakeGroup[] = [];
  for (let i = 0; i < (o.groups ?? 6); i++) {
    const name = `${capitalise(rnd.pick(ID_WORDS))} ${rnd.pick(['Warehouse', 'Lake', 'Prod', 'Staging', 'Analytics'])}`;
    groups.push({ id: ids.next(), name, created_at: timestamp(rnd) });
  }
  const teams: FakeTeam[] = [];
  for (let i = 0; i < (o.teams ?? 4); i++) {
    const word = capitalise(rnd.pick(ID_WORDS));
    const role =
      i === 0 ? 'Account Reviewer' : i === 1 || rnd.chance(0.3) ? null : rnd.pick(TEAM_ACCOUNT_ROLES);
    teams.push({
      id: ids.next(),
      name: `${word} Team ${i + 1}`,
      description: `People working on ${word}`,
      role,
    });
  }

  const groupMemberships: FakeGroupMembershipRow[] = [];
  for (const user of users) {
    for (const group of distinctPicks(rnd, groups, rnd.count(o.groupMembershipsPerUser ?? 1.2))) {
      const forced = DEPRECATED_DESTINATION_ROLES[groupMemberships.length];
      const role =
        forced ??
        (rnd.chance(0.12) ? rnd.pick(DEPRECATED_DESTINATION_ROLES) : rnd.pick(CURRENT_DESTINATION_ROLES));
      groupMemberships.push({ user_id: user.id, group_id: group.id, role, created_at: timestamp(rnd) });
    }
  }
  const teamMemberships: FakeTeamMembershipRow[] = [];
  for (const user of users) {
    for (const team of distinctPicks(rnd, teams, rnd.count(o.teamMembershipsPerUser ?? 0.8))) {
      const isManager = teamMemberships.length === 0 || rnd.chance(0.2);
      const role = isManager ? 'Team Manager' : 'Team Member';
      teamMemberships.push({ team_id: team.id, user_id: user.id, role, created_at: timestamp(rnd) });
    }
  }
  const teamGroups: FakeTeamGroupRow[] = [];
  for (const team of teams) {
    for (const group of distinctPicks(rnd, groups, rnd.count(o.teamGroupsPerTeam ?? 1.5))) {
      const role = rnd.chance(0.1)
        ? rnd.pick(DEPRECATED_DESTINATION_ROLES)
        : rnd.pick(CURRENT_DESTINATION_ROLES);
      teamGroups.push({ team_id: team.id, group_id: group.id, role, created_at: timestamp(rnd) });
    }
  }

  const [admin, reviewer, service] = users as [FakeUser, FakeUser, FakeUser];
  const accountId = ids.next();
  const usedIds = [
    accountId,
    ...users.map((u) => u.id),
    ...groups.map((g) => g.id),
    ...teams.map((t) => t.id),
  ];
  const connectionData = generateConnectionDataset(o.seed, o, { users, groups, teams, usedIds });
  return {
    seed: o.seed,
    accountId,
    accountName: `${capitalise(rnd.pick(ID_WORDS))} Data Inc.`,
    users,
    groups,
    teams,
    roles: roleCatalogue(),
    groupMemberships,
    teamMemberships,
    teamGroups,
    ...connectionData,
    adminUserId: admin.id,
    reviewerUserId: reviewer.id,
    serviceAccountUserId: service.id,
  };
}

function randomUser(rnd: SeededRandom, id: string, emails: Map<string, number>, index: number): FakeUser {
  const given = rnd.pick(GIVEN_NAMES);
  const family = rnd.pick(FAMILY_NAMES);
  const created = EPOCH_MS + rnd.int(SPAN_MS);
  const user: FakeUser = {
    id,
    email: uniqueEmail(emails, `${given}.${family}`.toLowerCase()),
    given_name: given,
    family_name: family,
    verified: true,
    invited: false,
    active: rnd.chance(0.92),
    picture: rnd.chance(0.3) ? `https://avatars.example.com/${id}.png` : null,
    phone: rnd.chance(0.3) ? `+1 555 01${String(rnd.int(100)).padStart(2, '0')}` : null,
    role: weighted(rnd, USER_ROLE_WEIGHTS),
    logged_in_at: rnd.chance(0.85) ? formatTime(rnd, created + rnd.int(SPAN_MS / 4)) : null,
    created_at: formatTime(rnd, created),
    user_type: rnd.chance(0.01) ? 'SERVICE_ACCOUNT' : 'REGULAR_USER',
  };
  if (rnd.chance(0.1))
    Object.assign(user, { invited: true, verified: false, logged_in_at: null, active: true });
  // Fixed shapes at known positions, so tests and the demo can rely on them.
  const fixed: Partial<FakeUser>[] = [
    {
      role: 'Account Administrator',
      active: true,
      invited: false,
      verified: true,
      user_type: 'REGULAR_USER',
    },
    { role: 'Account Reviewer', active: true, invited: false, verified: true, user_type: 'REGULAR_USER' },
    { role: 'Account Analyst', active: true, invited: false, verified: true, user_type: 'SERVICE_ACCOUNT' },
    { role: null, active: false, invited: false, user_type: 'REGULAR_USER' },
    {
      role: null,
      active: true,
      invited: true,
      verified: false,
      logged_in_at: null,
      user_type: 'REGULAR_USER',
    },
  ];
  return { ...user, ...fixed[index] };
}

function capAccountWideUsers(users: FakeUser[], cap: number): void {
  let seen = 0;
  for (const [i, user] of users.entries()) {
    if (user.role === null || !ACCOUNT_LEVEL_ROLES.has(user.role)) continue;
    // users[0..2] keep their fixed roles (admin, reviewer, service account): tests and the demo rely on them.
    if (++seen > cap && i > 2) users[i] = { ...user, role: null };
  }
}

function uniqueEmail(emails: Map<string, number>, local: string): string {
  const n = (emails.get(local) ?? 0) + 1;
  emails.set(local, n);
  return `${local}${n > 1 ? n : ''}@example.com`;
}

function distinctPicks<T>(rnd: SeededRandom, items: readonly T[], count: number): T[] {
  const chosen = new Set<T>();
  const n = Math.min(count, items.length);
  while (chosen.size < n) chosen.add(rnd.pick(items));
  return [...chosen];
}

function weighted<T>(rnd: SeededRandom, table: ReadonlyArray<readonly [T, number]>): T {
  let r = rnd.next() * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of table) if ((r -= w) < 0) return value;
  return table[0]![0];
}

function timestamp(rnd: SeededRandom): string {
  return formatTime(rnd, EPOCH_MS + rnd.int(SPAN_MS));
}

const DAY_MS = 86_400_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO-8601 UTC with variable sub-second precision, as Fivetran sends (none, milliseconds or microseconds). */
export function formatTime(rnd: SeededRandom, ms: number): string {
  const dayNumber = floorPositive(ms / DAY_MS);
  const rest = ms - dayNumber * DAY_MS;
  const time = `${pad(floorPositive(rest / 3_600_000))}:${pad(floorPositive(rest / 60_000) % 60)}:${pad(floorPositive(rest / 1000) % 60)}`;
  const prefix = `${civilDate(dayNumber)}T${time}`;
  const style = rnd.int(3);
  if (style === 0) return `${prefix}Z`;
  const millis = pad(rest % 1000, 3);
  return style === 1 ? `${prefix}.${millis}Z` : `${prefix}.${millis}${pad(rnd.int(1000), 3)}Z`;
}

/** `YYYY-MM-DD` for days since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilDate(days: number): string {
  const z = days + 719468;
  const era = floorPositive(z / 146097);
  const doe = z - era * 146097;
  const yoe = floorPositive(
    (doe - floorPositive(doe / 1460) + floorPositive(doe / 36524) - floorPositive(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + floorPositive(yoe / 4) - floorPositive(yoe / 100));
  const mp = floorPositive((5 * doy + 2) / 153);
  const day = doy - floorPositive((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${pad(month)}-${pad(day)}`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
