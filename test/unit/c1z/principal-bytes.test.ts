import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { annotations, encodeMessage, toStruct } from '../../../src/connector/index.js';
import type { Grant, Resource } from '../../../src/connector/index.js';
import { C1zWriter } from '../../../src/c1z/index.js';
import { grantRow } from '../../../src/c1z/row-encoding.js';
import { FakeClock, grant, member, team, teamType, user, userType } from './fixtures.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'c1z-principal-'));
  path = join(dir, 'out.c1z');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

// A principal with a Struct profile and a long display name, so its length needs a multi-byte varint.
const richUser = (n: number): Resource => ({
  ...user(n),
  displayName: `User ${n} ${'x'.repeat(300)}`,
  annotations: [
    annotations.userTrait({
      emails: [{ address: `u${n}@example.com`, isPrimary: true }],
      profile: toStruct({ given_name: 'Ann', family_name: 'Lee', n, active: true, tags: ['a', 'b'] }),
    }),
  ],
});

const started = (): C1zWriter => {
  const w = C1zWriter.create({ path, tempDir: dir, clock: new FakeClock(Date.UTC(2026, 0, 15)) });
  w.startSync('full');
  w.putResourceTypes([userType, teamType]);
  return w;
};

/** The `data` column as stored, read through a second connection to the working database. */
const grantBytes = (w: C1zWriter, id: string): Uint8Array => {
  w.flush();
  const db = new DatabaseSync(w.workingDbPath, { readOnly: true });
  try {
    const row = db.prepare('select data from v1_grants where external_id = ?').get(id) as {
      data: Uint8Array;
    };
    return row.data;
  } finally {
    db.close();
  }
};

describe('grant rows reuse stored principal bytes', () => {
  it('grantRow copies the given principal bytes in place of encoding the principal', () => {
    const e = member(team(1));
    for (const principal of [user(1), richUser(2)]) {
      const g: Grant = grant(e, principal, { annotations: [annotations.grantImmutable()] });
      const full = encodeMessage('c1.connector.v2.Grant', g);
      // A stand-in principal: the bytes can only come from those given.
      const stored = grantRow(
        { ...g, principal: { id: principal.id } },
        encodeMessage('c1.connector.v2.Resource', principal),
      );
      expect(Buffer.from(stored.data).equals(Buffer.from(full))).toBe(true);
    }
  });

  it('a grant whose principal is a getPrincipalRef stand-in is stored as with the full resource', () => {
    const w = started();
    try {
      const t = team(1);
      const u = richUser(7);
      w.putResources([t, u]);
      const ref = w.getPrincipalRef(u.id)!;
      expect(ref).toEqual({ id: u.id });
      expect(Object.isFrozen(ref)).toBe(true);
      expect(w.getPrincipalRef({ resourceType: 'user', resource: 'missing' })).toBeUndefined();

      const viaRef = grant(member(t), ref);
      const viaFull = { ...grant(member(t), u), id: 'full' };
      w.putGrants([viaRef, viaFull]);
      expect(w.getGrant(viaRef.id)!.grant.principal).toEqual(u);
      const a = Buffer.from(grantBytes(w, viaRef.id));
      const b = Buffer.from(encodeMessage('c1.connector.v2.Grant', { ...viaFull, id: viaRef.id }));
      expect(a.equals(b)).toBe(true);
    } finally {
      w.abort();
    }
  });

  it('lists grants with principal stand-ins on request, and they write back unchanged', () => {
    const w = started();
    try {
      const [t1, t2] = [team(1), team(2)];
      const u = richUser(1);
      w.putResources([t1, t2, u]);
      w.putGrants([grant(member(t1), u)]);

      const [full] = w.listGrantsForEntitlement(member(t1).id, 0, 10);
      const [refRow] = w.listGrantsForEntitlement(member(t1).id, 0, 10, { principalRefs: true });
      expect(full!.value.grant.principal).toEqual(u);
      expect(refRow!.value.grant.principal).toEqual({ id: u.id });
      const { principal: _p, entitlement: fullEntitlement, ...rest } = full!.value.grant;
      const { principal: _r, entitlement: refEntitlement, ...refRest } = refRow!.value.grant;
      expect(refRest).toEqual(rest);
      // The entitlement is a stand-in too, with its ids only; written back, it is stored as it was.
      expect(refEntitlement).toEqual({
        id: fullEntitlement.id,
        resource: { id: fullEntitlement.resource.id },
      });
      w.putGrants([{ ...refRow!.value.grant, id: 'copy-of-ref' }]);
      expect(w.getGrant('copy-of-ref')!.grant).toEqual({ ...full!.value.grant, id: 'copy-of-ref' });
      // A grant read back has a frozen principal: its stored bytes stay true to it.
      expect(Object.isFrozen(full!.value.grant.principal)).toBe(true);

      // Derived grants carrying either principal are stored with the principal's exact bytes.
      const derived = (p: Resource, id: string): Grant => ({ ...grant(member(t2), p), id });
      w.putGrants([
        derived(refRow!.value.grant.principal, 'd-ref'),
        derived(full!.value.grant.principal, 'd-full'),
      ]);
      expect(w.getGrant('d-ref')!.grant.principal).toEqual(u);
      const expected = (id: string) => Buffer.from(encodeMessage('c1.connector.v2.Grant', derived(u, id)));
      expect(Buffer.from(grantBytes(w, 'd-ref')).equals(expected('d-ref'))).toBe(true);
      expect(Buffer.from(grantBytes(w, 'd-full')).equals(expected('d-full'))).toBe(true);
    } finally {
      w.abort();
    }
  });
});
