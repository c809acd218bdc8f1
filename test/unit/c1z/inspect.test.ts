import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectC1z } from '../../../src/c1z/index.js';
import { writeSampleC1z } from './sample-c1z.js';

let dir: string;
let sample: { path: string; syncId: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c1z-inspect-'));
  sample = await writeSampleC1z(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (text: string) => text.split('\n').map((l) => l.trimEnd());

describe('inspectC1z', () => {
  it('prints the sync and baton-stats style counts on the console', async () => {
    const out = lines(await inspectC1z(sample.path, { output: 'console' }));
    expect(out).toEqual(
      expect.arrayContaining([
        `ID         ${sample.syncId}`,
        'Type       full',
        'Started    2026-03-03 09:45:13.058',
        'Ended      2026-03-03 09:45:15.308',
        'Duration   2.250s',
      ]),
    );
    const counts = out.slice(out.indexOf('Type            Count'));
    expect(counts).toEqual([
      'Type            Count',
      'account         1',
      'entitlements    2',
      'grants          4',
      'resource_types  3',
      'team            2',
      'user            3',
      '',
    ]);
  });

  it('prints stats as JSON with stable keys', async () => {
    const json = JSON.parse(await inspectC1z(sample.path, { output: 'json' })) as Record<string, unknown>;
    expect(json).toEqual({
      sync: {
        id: sample.syncId,
        type: 'full',
        startedAt: '2026-03-03 09:45:13.058',
        endedAt: '2026-03-03 09:45:15.308',
        durationMs: 2250,
      },
      counts: {
        resourceTypes: 3,
        resources: 6,
        entitlements: 2,
        grants: 4,
        resourcesByResourceType: { account: 1, team: 2, user: 3 },
        entitlementsByResourceType: { team: 2 },
        grantsByResourceType: { team: 4 },
      },
    });
    expect(Object.keys(json)).toEqual(['sync', 'counts']);
  });

  it('lists the resources of one type', async () => {
    expect(lines(await inspectC1z(sample.path, { output: 'console', resources: 'user' }))).toEqual([
      'ID  Display Name  Status  Description',
      'u1  User 1',
      'u2  User 2',
      'u3  User 3',
      '',
    ]);
    const json = JSON.parse(await inspectC1z(sample.path, { output: 'json', resources: 'team' })) as {
      resources: {
        resource: { id: { resource: string }; displayName: string };
        resourceType: { id: string };
      }[];
    };
    expect(
      json.resources.map((r) => [r.resource.id.resource, r.resource.displayName, r.resourceType.id]),
    ).toEqual([
      ['t1', 'Team 1', 'team'],
      ['t2', 'Team 2', 'team'],
    ]);
  });

  it('lists the grants on one entitlement, in baton-grants JSON paths', async () => {
    expect(lines(await inspectC1z(sample.path, { output: 'console', grants: 'team:t2:member' }))).toEqual([
      'Grant ID                Principal',
      'team:t2:member:team:t1  team:t1',
      'team:t2:member:user:u3  user:u3',
      '',
    ]);
    const json = JSON.parse(await inspectC1z(sample.path, { output: 'json', grants: 'team:t2:member' })) as {
      grants: {
        grant: { id: string };
        entitlement: { id: string };
        principal: { id: { resource: string } };
      }[];
    };
    expect(json.grants.map((g) => [g.grant.id, g.entitlement.id, g.principal.id.resource])).toEqual([
      ['team:t2:member:team:t1', 'team:t2:member', 't1'],
      ['team:t2:member:user:u3', 'team:t2:member', 'u3'],
    ]);
  });

  it('prints an empty listing for an unknown entitlement', async () => {
    expect(JSON.parse(await inspectC1z(sample.path, { output: 'json', grants: 'nope' }))).toEqual({
      grants: [],
    });
  });
});
