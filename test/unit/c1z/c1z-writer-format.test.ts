import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annotations, decodeMessage } from '../../../src/connector/index.js';
import type { Grant } from '../../../src/connector/index.js';
import { decodeKsuid } from '../../../src/c1z/index.js';
import { grant, member, team, user } from './fixtures.js';
import { all, one, openRawC1z, type RawC1z } from './raw-c1z.js';
import { SAMPLE_START as START, writeSampleC1z } from './sample-c1z.js';

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;

let dir: string;
let raw: RawC1z;
let syncId: string;
const [t1, t2] = [team(1), team(2)];
const [m1, m2] = [member(t1), member(t2)];
const expandable = grant(m2, t1, {
  annotations: [annotations.grantExpandable([m1.id], { shallow: true }), annotations.grantImmutable()],
});
const blankExpandable = grant(m2, user(3), { annotations: [annotations.grantExpandable(['  '])] });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c1z-format-'));
  let path: string;
  ({ path, syncId } = await writeSampleC1z(dir, {
    name: 'sync.c1z',
    grants: [grant(m1, user(1)), grant(m1, user(2)), expandable, blankExpandable],
    durationMs: 1500,
  }));
  expect(readdirSync(dir)).toEqual(['sync.c1z']);
  raw = openRawC1z(path);
});

afterAll(() => {
  raw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('c1z outer layout', () => {
  it('starts with the C1ZF magic and one zstd frame with checksum and content size', () => {
    expect(raw.magic.toString('hex')).toBe('43315a4600');
    expect(raw.frame.magicHex).toBe('28b52ffd');
    expect(raw.frame.hasChecksum).toBe(true);
    expect(raw.frame.contentSize).toBe(raw.dbBytes.length);
    expect(raw.frame.windowBytes).toBeLessThanOrEqual(128 * 1024 * 1024);
  });

  it('holds a self-contained SQLite file written with a rollback journal', () => {
    expect(raw.dbBytes.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    // 16 KiB pages, not the SDK fixture's 4 KiB default: any SQLite page size opens the same (c1z-format.md §2.2).
    expect(raw.dbBytes.readUInt16BE(16)).toBe(16384);
    // Bytes 18/19 are 1 for rollback-journal files, 2 for WAL.
    expect([raw.dbBytes[18], raw.dbBytes[19]]).toEqual([1, 1]);
    expect(one(raw.db, 'pragma integrity_check')).toEqual({ integrity_check: 'ok' });
  });
});

describe('c1z schema', () => {
  const columns = (table: string) =>
    all(
      raw.db,
      `select name, type, "notnull" as nn, dflt_value as dflt, pk from pragma_table_info('${table}')`,
    ).map(
      (c) =>
        `${String(c.name)} ${String(c.type).toLowerCase()}${c.nn ? ' not null' : ''}${c.dflt === null ? '' : ` default ${String(c.dflt)}`}${c.pk ? ' pk' : ''}`,
    );

  it('creates exactly the seven v1 tables in the SDK order', () => {
    const tables = all(raw.db, "select name from sqlite_master where type = 'table' order by rowid").map(
      (r) => r.name,
    );
    expect(tables).toEqual([
      'v1_resource_types',
      'v1_resources',
      'v1_entitlements',
      'v1_sync_runs',
      'v1_grants',
      'v1_assets',
      'v1_connector_sessions',
    ]);
  });

  it('gives every table the SDK column names and types', () => {
    expect(columns('v1_resource_types')).toEqual([
      'id integer pk',
      'external_id text not null',
      'data blob not null',
      'sync_id text not null',
      'discovered_at datetime not null',
    ]);
    expect(columns('v1_resources')).toEqual([
      'id integer pk',
      'resource_type_id text not null',
      'external_id text not null',
      'parent_resource_type_id text',
      'parent_resource_id text',
      'data blob not null',
      'sync_id text not null',
      'discovered_at datetime not null',
    ]);
    expect(columns('v1_entitlements')).toEqual([
      'id integer pk',
      'resource_type_id text not null',
      'resource_id text not null',
      'external_id text not null',
      'data blob not null',
      'sync_id text not null',
      'discovered_at datetime not null',
    ]);
    expect(columns('v1_sync_runs')).toEqual([
      'id integer pk',
      'sync_id text not null',
      'started_at datetime not null',
      'ended_at datetime',
      'sync_token text not null',
      "sync_type text not null default 'full'",
      "parent_sync_id text not null default ''",
      "linked_sync_id text not null default ''",
      'supports_diff integer not null default 0',
      'grants_backfilled integer not null default 0',
      'stats text',
      "ingest_invariant_generation text not null default ''",
      "ingest_invariant_coverage text not null default ''",
      "ingest_invariant_mode text not null default ''",
    ]);
    expect(columns('v1_grants')).toEqual([
      'id integer pk',
      'resource_type_id text not null',
      'resource_id text not null',
      'entitlement_id text not null',
      'principal_resource_type_id text not null',
      'principal_resource_id text not null',
      'external_id text not null',
      'expansion blob',
      'needs_expansion integer not null default 0',
      'data blob not null',
      'sync_id text not null',
      'discovered_at datetime not null',
    ]);
    expect(columns('v1_assets')).toEqual([
      'id integer pk',
      'external_id text not null',
      'content_type text not null',
      'data blob not null',
      'sync_id text not null',
      'discovered_at datetime not null',
    ]);
    expect(columns('v1_connector_sessions')).toEqual([
      'id integer pk',
      'sync_id text not null',
      'key text not null',
      'value blob not null',
    ]);
  });

  it('uses the exact SDK index names, including the swapped resource names and partial grant indexes', () => {
    const indexes = (table: string) =>
      Object.fromEntries(
        all(raw.db, `select name, "unique" as u, partial from pragma_index_list('${table}')`)
          .filter((i) => !String(i.name).startsWith('sqlite_autoindex'))
          .map((i) => {
            const cols = all(
              raw.db,
              `select name from pragma_index_info('${String(i.name)}') order by seqno`,
            );
            return [
              i.name,
              `${i.u ? 'unique ' : ''}(${cols.map((c) => c.name).join(', ')})${i.partial ? ' partial' : ''}`,
            ];
          }),
      );
    expect(indexes('v1_resource_types')).toEqual({
      idx_resource_types_external_sync_v1: 'unique (external_id, sync_id)',
    });
    expect(indexes('v1_resources')).toEqual({
      idx_resources_resource_type_id_v1: '(resource_type_id)',
      idx_resources_external_sync_v1: '(parent_resource_type_id, parent_resource_id)',
      idx_resources_parent_resource_id_v1: 'unique (external_id, sync_id)',
    });
    expect(indexes('v1_entitlements')).toEqual({
      idx_entitlements_resource_id_v1: '(resource_type_id, resource_id)',
      idx_entitlements_external_sync_v1: 'unique (external_id, sync_id)',
    });
    expect(indexes('v1_sync_runs')).toEqual({ idx_sync_runs_sync_id_v1: 'unique (sync_id)' });
    expect(indexes('v1_grants')).toEqual({
      idx_grants_resource_type_id_resource_id_v1: '(resource_type_id, resource_id)',
      idx_grants_principal_id_v1: '(principal_resource_type_id, principal_resource_id)',
      idx_grants_entitlement_id_principal_id_v1:
        '(entitlement_id, principal_resource_type_id, principal_resource_id)',
      idx_grants_external_sync_v1: 'unique (external_id, sync_id)',
      idx_grants_entitlement_sync_grant_v1: '(entitlement_id, sync_id, id)',
      idx_grants_sync_expansion_v1: '(sync_id) partial',
      idx_grants_sync_needs_expansion_v1: '(sync_id) partial',
    });
    expect(indexes('v1_assets')).toEqual({ idx_assets_external_sync_v1: 'unique (external_id, sync_id)' });
    expect(indexes('v1_connector_sessions')).toEqual({
      idx_session_store_sync_key_v1: 'unique (sync_id, key)',
    });
    const sql = (name: string) =>
      String(one(raw.db, 'select sql from sqlite_master where name = ?', name)?.sql);
    expect(sql('idx_grants_sync_expansion_v1')).toMatch(/\(sync_id\) where expansion is not null$/i);
    expect(sql('idx_grants_sync_needs_expansion_v1')).toMatch(/\(sync_id\) where needs_expansion = 1$/i);
  });
});

describe('c1z rows', () => {
  it('stores resource types by id with protobuf data', () => {
    const rows = all(raw.db, 'select external_id, data, sync_id from v1_resource_types order by id');
    expect(rows.map((r) => r.external_id)).toEqual(['account', 'user', 'team']);
    expect(rows.every((r) => r.sync_id === syncId && r.data instanceof Uint8Array)).toBe(true);
    expect(decodeMessage('c1.connector.v2.ResourceType', rows[1]!.data as Uint8Array)).toMatchObject({
      id: 'user',
      displayName: 'User',
      traits: ['TRAIT_USER'],
      annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants' }],
    });
  });

  it('stores resources as type:id with parent columns, NULL (not empty) when there is no parent', () => {
    const rows = all(
      raw.db,
      `select resource_type_id, external_id, parent_resource_type_id as pt, parent_resource_id as pr,
         typeof(parent_resource_id) as prt from v1_resources order by id`,
    );
    expect(rows).toEqual([
      { resource_type_id: 'account', external_id: 'account:acct', pt: null, pr: null, prt: 'null' },
      { resource_type_id: 'user', external_id: 'user:u1', pt: null, pr: null, prt: 'null' },
      { resource_type_id: 'user', external_id: 'user:u2', pt: null, pr: null, prt: 'null' },
      { resource_type_id: 'user', external_id: 'user:u3', pt: null, pr: null, prt: 'null' },
      { resource_type_id: 'team', external_id: 'team:t1', pt: 'account', pr: 'acct', prt: 'text' },
      { resource_type_id: 'team', external_id: 'team:t2', pt: 'account', pr: 'acct', prt: 'text' },
    ]);
    const data = one(raw.db, "select data from v1_resources where external_id = 'team:t1'")!
      .data as Uint8Array;
    expect(decodeMessage('c1.connector.v2.Resource', data)).toMatchObject({
      id: { resourceType: 'team', resource: 't1' },
      parentResourceId: { resourceType: 'account', resource: 'acct' },
      displayName: 'Team 1',
    });
  });

  it('stores entitlements by id with their resource columns', () => {
    expect(
      all(raw.db, 'select resource_type_id, resource_id, external_id from v1_entitlements order by id'),
    ).toEqual([
      { resource_type_id: 'team', resource_id: 't1', external_id: 'team:t1:member' },
      { resource_type_id: 'team', resource_id: 't2', external_id: 'team:t2:member' },
    ]);
  });

  it('fills grant side columns from the entitlement resource and the principal', () => {
    expect(
      all(
        raw.db,
        `select external_id, resource_type_id, resource_id, entitlement_id, principal_resource_type_id as ptype,
           principal_resource_id as pid from v1_grants order by id`,
      ),
    ).toEqual([
      {
        external_id: 'team:t1:member:user:u1',
        resource_type_id: 'team',
        resource_id: 't1',
        entitlement_id: 'team:t1:member',
        ptype: 'user',
        pid: 'u1',
      },
      {
        external_id: 'team:t1:member:user:u2',
        resource_type_id: 'team',
        resource_id: 't1',
        entitlement_id: 'team:t1:member',
        ptype: 'user',
        pid: 'u2',
      },
      {
        external_id: 'team:t2:member:team:t1',
        resource_type_id: 'team',
        resource_id: 't2',
        entitlement_id: 'team:t2:member',
        ptype: 'team',
        pid: 't1',
      },
      {
        external_id: 'team:t2:member:user:u3',
        resource_type_id: 'team',
        resource_id: 't2',
        entitlement_id: 'team:t2:member',
        ptype: 'user',
        pid: 'u3',
      },
    ]);
  });

  it('moves GrantExpandable out of the data blob into the expansion columns', () => {
    const rows = all(
      raw.db,
      'select external_id, expansion, needs_expansion, data from v1_grants order by id',
    );
    const decoded = rows.map((r) => decodeMessage<Grant>('c1.connector.v2.Grant', r.data as Uint8Array));
    for (const g of decoded) {
      expect((g.annotations ?? []).map((a) => a['@type'])).not.toContain(
        'type.googleapis.com/c1.connector.v2.GrantExpandable',
      );
    }
    // The other annotations stay.
    expect(decoded[2]!.annotations).toEqual([
      { '@type': 'type.googleapis.com/c1.connector.v2.GrantImmutable' },
    ]);
    expect(rows.map((r) => [r.expansion === null, r.needs_expansion])).toEqual([
      [true, 0],
      [true, 0],
      [false, 1],
      [true, 0], // only blank entitlement ids: stripped, not expandable
    ]);
    expect(decodeMessage('c1.connector.v2.GrantExpandable', rows[2]!.expansion as Uint8Array)).toEqual({
      entitlementIds: ['team:t1:member'],
      shallow: true,
    });
    expect(decoded[0]).toMatchObject({
      id: 'team:t1:member:user:u1',
      entitlement: { id: 'team:t1:member', resource: { id: { resourceType: 'team', resource: 't1' } } },
      principal: { id: { resourceType: 'user', resource: 'u1' } },
    });
  });

  it('writes one finished full sync run with a valid KSUID and SDK-format timestamps', () => {
    const runs = all(raw.db, 'select * from v1_sync_runs');
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({
      sync_id: syncId,
      sync_token: '',
      sync_type: 'full',
      parent_sync_id: '',
      linked_sync_id: '',
      supports_diff: 1,
      grants_backfilled: 1,
      ingest_invariant_generation: '',
      ingest_invariant_coverage: '',
      ingest_invariant_mode: '',
    });
    expect(syncId).toMatch(/^[0-9A-Za-z]{27}$/);
    expect(decodeKsuid(syncId)?.timestampSeconds).toBe(Math.floor(START / 1000));
    expect(run.started_at).toBe('2026-03-03 09:45:13.058');
    expect(run.ended_at).toBe('2026-03-03 09:45:14.558');
    for (const t of all(
      raw.db,
      'select discovered_at as t from v1_resources union select discovered_at from v1_grants',
    )) {
      expect(t.t).toMatch(TIME);
    }
  });

  it('caches stats JSON with the SDK keys and correct counts', () => {
    const stats = String(one(raw.db, 'select stats from v1_sync_runs')!.stats);
    expect(stats.startsWith('{"resource_types":3,"resources":6,"entitlements":2,"grants":4,')).toBe(true);
    expect(JSON.parse(stats)).toEqual({
      resource_types: 3,
      resources: 6,
      entitlements: 2,
      grants: 4,
      resources_by_resource_type: { account: 1, team: 2, user: 3 },
      grants_by_resource_type: { team: 4 },
      entitlements_by_resource_type: { team: 2 },
    });
  });
});
