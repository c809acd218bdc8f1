// Encodes and decodes a typical Grant (full entitlement + principal resources with a UserTrait) in a loop and
// prints encodes/s and decodes/s. Run (Node 24, no build):
//   node --experimental-transform-types bench/proto-encode.ts [seconds per measurement, default 3]
import './ts-sources.ts';
import type * as Connector from '../src/connector/index.js';
import type { Grant, Resource } from '../src/connector/index.js';

const { encodeMessage, decodeMessage } = (await import('../src/connector/proto.ts')) as typeof Connector;
const { toStruct } = (await import('../src/connector/struct.ts')) as typeof Connector;

const GRANT = 'c1.connector.v2.Grant';
const seconds = Number(process.argv[2] ?? 3);

const user = (i: number): Resource => ({
  id: { resourceType: 'user', resource: `user-${i}` },
  displayName: `User ${i}`,
  annotations: [
    {
      '@type': 'type.googleapis.com/c1.connector.v2.UserTrait',
      emails: [{ address: `user-${i}@example.com`, isPrimary: true }],
      status: { status: 'STATUS_ENABLED' },
      login: `user${i}`,
      accountType: 'ACCOUNT_TYPE_HUMAN',
      profile: toStruct({ email: `user-${i}@example.com`, role: 'Account Reviewer', active: true }),
    },
  ],
});
const team: Resource = {
  id: { resourceType: 'team', resource: 'team-7' },
  displayName: 'Team 7',
  annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.GroupTrait' }],
};
const grant = (i: number): Grant => ({
  id: `team:team-7:member:user:user-${i}`,
  entitlement: {
    resource: team,
    id: 'team:team-7:member',
    displayName: 'Team 7 member',
    description: 'Member of Team 7',
    slug: 'member',
    purpose: 'PURPOSE_VALUE_ASSIGNMENT',
    grantableTo: [{ id: 'user', displayName: 'User', traits: ['TRAIT_USER'] }],
  },
  principal: user(i),
});

const grants = Array.from({ length: 1000 }, (_, i) => grant(i));
const encoded = grants.map((g) => encodeMessage(GRANT, g));

const measure = (label: string, op: (i: number) => unknown): void => {
  for (let i = 0; i < 20_000; i++) op(i % 1000); // warm-up
  let n = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until) {
    for (let k = 0; k < 1000; k++) op(k);
    n += 1000;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`${label}: ${Math.round(n / s)} /s (${n} in ${s.toFixed(2)} s)`);
};

console.log(`Grant size: ${encoded[0]!.length} bytes`);
measure('encodeMessage(Grant)', (i) => encodeMessage(GRANT, grants[i]!));
measure('decodeMessage(Grant)', (i) => decodeMessage(GRANT, encoded[i]!));
