// `npm run demo`: the whole job against embedded fakes, with no credentials. A fake Fivetran and a fake
// ConductorOne control plane run in this process; the real daemon (dist/main.js) runs as a child process in
// service mode and gets tasks: full sync → upload, invite an account, grant and revoke a team membership,
// grant and revoke a connection role for a team, delete the account. Exits 0 by itself; `--keep-running` keeps everything up to explore /metrics.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { C1zReader, inspectC1z } from '../src/c1z/index.js';
import { toStruct, type Entitlement, type Resource } from '../src/connector/index.js';
import { startFakeControlPlane, type FinishTaskRequest } from '../test/fakes/control-plane/index.js';
import { generateDataset, startFakeFivetran } from '../test/fakes/fivetran/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(repo, 'demo', 'out');
const keepRunning = process.argv.includes('--keep-running');
const say = (text: string) => process.stdout.write(`${text}\n`);
const step = (n: number, text: string) => say(`\n[${n}] ${text}`);

async function main(): Promise<number> {
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const fivetran = await startFakeFivetran({
    dataset: generateDataset({ seed: 7, users: 300, groups: 20, teams: 12, connections: 40, systemKeys: 3 }),
  });
  const c1 = await startFakeControlPlane({ nextPollMs: 200, nextHeartbeatMs: 1000 });
  say(
    `fake Fivetran      ${fivetran.baseUrl} (${fivetran.state.users.size} users, ${fivetran.state.groups.size} groups, ${fivetran.state.teams.size} teams, ${fivetran.state.connections.size} connections, ${fivetran.state.systemKeys.size} system keys)`,
  );
  say(`fake ConductorOne  https://${c1.host} (token endpoint + BatonService gRPC over TLS, CA ${c1.caPath})`);

  const logFile = join(outDir, 'daemon.log');
  const daemon = spawn(process.execPath, [join(repo, 'dist', 'main.js')], {
    cwd: outDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: c1.caPath,
      BATON_CLIENT_ID: c1.clientId,
      BATON_CLIENT_SECRET: c1.clientSecret,
      BATON_C1_API_HOST: c1.host,
      BATON_HOST_ID: 'demo-daemon',
      BATON_FIVETRAN_API_KEY: fivetran.keys.admin.key,
      BATON_FIVETRAN_API_SECRET: fivetran.keys.admin.secret,
      BATON_FIVETRAN_BASE_URL: fivetran.baseUrl,
      BATON_PROVISIONING: 'true',
      BATON_OPS_LISTEN_ADDRESS: keepRunning ? '127.0.0.1:8081' : '127.0.0.1:0',
      BATON_LOG_FORMAT: 'json',
      BATON_SHUTDOWN_GRACE_SECONDS: '5',
      BATON_C1Z_TEMP_DIR: outDir,
    },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const log = createWriteStream(logFile);
  let opsPort: number | undefined;
  daemon.stderr.on('data', (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.includes('"ops server listening"')) opsPort = (JSON.parse(line) as { port: number }).port;
    }
  });
  const exited = new Promise<number | null>((r) => daemon.on('exit', (code) => r(code)));
  say(`daemon            node dist/main.js (pid ${daemon.pid}), logs in ${logFile}`);

  const finish = async (taskId: string, timeoutMs = 30_000): Promise<FinishTaskRequest> =>
    c1.waitFor(() => c1.finishes(taskId)[0], timeoutMs);
  const outcome = (f: FinishTaskRequest) =>
    f.success
      ? 'success'
      : `error ${f.status?.code}: ${f.status?.message} (non_retryable=${f.error?.nonRetryable ?? false})`;
  const annotationNames = (f: FinishTaskRequest) =>
    (f.success?.annotations ?? []).map((a) => String(a['@type']).split('.').pop()).join(', ') || 'none';
  /** Runs the same grant or revoke task twice (the second shows the idempotency annotation). */
  const twice = async (task: Parameters<typeof c1.enqueueTask>[0]): Promise<void> => {
    for (const attempt of [1, 2]) {
      const f = await finish(c1.enqueueTask(task));
      say(`    attempt ${attempt}: ${outcome(f)}, annotations: ${annotationNames(f)}`);
    }
  };

  try {
    step(1, 'Hello: the daemon authenticates (Ed25519 client assertion → bearer token) and registers');
    const hello = await c1.waitFor(() => c1.hellos()[0], 20_000);
    const caps = (hello.connectorMetadata as { capabilities?: { connectorCapabilities?: string[] } })
      .capabilities;
    say(`    host ${hello.hostId}, capabilities ${caps?.connectorCapabilities?.join(', ')}`);

    step(2, 'sync_full: sync Fivetran into a c1z, upload it in 512 KiB chunks with heartbeats');
    const syncId = c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const syncDone = await finish(syncId, 45_000);
    const upload = c1.uploads(syncId)[0];
    say(
      `    ${outcome(syncDone)}; uploaded ${upload?.bytes.length ?? 0} bytes in ${upload?.chunkSizes.length ?? 0} chunk(s), checksum ${upload?.sha256Ok ? 'OK' : 'BAD'}`,
    );
    if (!upload || !syncDone.success) throw new Error('sync did not upload');
    const c1zPath = join(outDir, 'sync.c1z');
    writeFileSync(c1zPath, upload.bytes);
    say(`    saved ${c1zPath}:`);
    say((await inspectC1z(c1zPath, { output: 'console' })).replace(/^/gm, '      '));

    const reader = await C1zReader.open(c1zPath);
    const team = [...fivetran.state.teams.values()][0]!;
    let memberEntitlement: Entitlement | undefined;
    for (const e of reader.entitlements({ resourceTypeId: 'team' })) {
      if (e.id === `team:${team.id}:member`) memberEntitlement = e;
    }
    // A connection the first team holds no role on, for the connection-role grant below.
    const connectionId = [...fivetran.state.connections.keys()].find(
      (c) => !fivetran.state.teamConnections.get(team.id)?.has(c),
    )!;
    let connectionEntitlement: Entitlement | undefined;
    let teamResource: Resource | undefined;
    for (const e of reader.entitlements({ resourceTypeId: 'connection' })) {
      if (e.id === `connection:${connectionId}:Manage Connection`) connectionEntitlement = e;
    }
    for (const r of reader.resources({ resourceTypeId: 'team' })) {
      if (r.id.resource === team.id) teamResource = r;
    }
    reader.close();
    if (!memberEntitlement) throw new Error(`no entitlement team:${team.id}:member in the c1z`);
    if (!connectionEntitlement || !teamResource)
      throw new Error('no connection entitlement or team in the c1z');
    const member = [...(fivetran.state.teamUsers.get(team.id)?.keys() ?? [])][0];
    if (member) {
      say(`    a team member's access (inspect sync.c1z --access user:${member}):`);
      say(
        (await inspectC1z(c1zPath, { output: 'console', access: `user:${member}` })).replace(/^/gm, '      '),
      );
    }

    step(3, 'create_account: invite ada.demo@example.com as Account Reviewer');
    const createId = c1.enqueueTask({
      kind: 'createAccount',
      payload: {
        resourceTypeId: 'user',
        accountInfo: {
          emails: [{ address: 'ada.demo@example.com', isPrimary: true }],
          login: 'ada.demo@example.com',
          profile: toStruct({
            email: 'ada.demo@example.com',
            given_name: 'Ada',
            family_name: 'Lovelace',
            role: 'Account Reviewer',
          }),
        },
      },
    });
    const created = await finish(createId);
    const response = created.success?.response as { success?: { resource?: Resource } } | undefined;
    const user = response?.success?.resource;
    say(
      `    ${outcome(created)}; new account ${user ? `${user.id.resourceType}:${user.id.resource} (${user.displayName})` : 'missing'}`,
    );
    if (!user) throw new Error('create_account returned no resource');

    step(4, `grant: add the new user to team "${team.name}" (${memberEntitlement.id}), twice`);
    await twice({
      kind: 'grant',
      payload: { entitlement: memberEntitlement, principal: user },
    });
    say(
      `    Fivetran now lists the user in the team: ${fivetran.state.teamUsers.get(team.id)?.has(user.id.resource) ? 'yes' : 'no'}`,
    );

    step(5, 'revoke: remove the team membership, twice');
    const grantId = `${memberEntitlement.id}:user:${user.id.resource}`;
    await twice({
      kind: 'revoke',
      payload: { grant: { id: grantId, entitlement: memberEntitlement, principal: user } },
    });

    step(
      6,
      `grant: Manage Connection on connection ${connectionEntitlement.resource.displayName} to team "${team.name}", twice`,
    );
    await twice({
      kind: 'grant',
      payload: { entitlement: connectionEntitlement, principal: teamResource },
    });
    say(
      `    Fivetran now gives the team the role: ${fivetran.state.teamConnections.get(team.id)?.get(connectionId)?.role ?? 'none'}`,
    );

    step(7, 'revoke: take the connection role back from the team, twice');
    const connectionGrantId = `${connectionEntitlement.id}:team:${team.id}`;
    await twice({
      kind: 'revoke',
      payload: {
        grant: { id: connectionGrantId, entitlement: connectionEntitlement, principal: teamResource },
      },
    });
    say(
      `    Fivetran still gives the team a role there: ${fivetran.state.teamConnections.get(team.id)?.has(connectionId) ? 'yes' : 'no'}`,
    );

    step(8, 'delete_resource: delete the account');
    const deleteId = c1.enqueueTask({ kind: 'deleteResource', payload: { resourceId: user.id } });
    const deleted = await finish(deleteId);
    say(
      `    ${outcome(deleted)}; user still in Fivetran: ${fivetran.state.users.has(user.id.resource) ? 'yes' : 'no'}`,
    );

    step(9, 'an unsupported task type is refused, retryably, and the daemon keeps serving');
    const unsupported = await finish(c1.enqueueTask({ kind: 'eventFeed', payload: {} }));
    say(`    ${outcome(unsupported)}`);

    say(
      `\nFivetran requests: ${fivetran.requests.length}; control-plane calls: ${c1.calls.length}; protocol violations seen by the fake: ${c1.violations.length}`,
    );
    if (c1.violations.length) say(`    ${c1.violations.join('\n    ')}`);

    if (keepRunning) {
      say(
        `\nStill running. Metrics: http://127.0.0.1:${opsPort ?? 8081}/metrics  health: /health /ready /live. Ctrl-C to stop.`,
      );
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
    step(10, 'SIGTERM: the daemon drains and exits');
    daemon.kill('SIGTERM');
    const code = await exited;
    say(`    daemon exited with code ${code}; demo took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code === 0 && c1.violations.length === 0 ? 0 : 1;
  } catch (err) {
    say(`\ndemo failed: ${(err as Error).message} (daemon logs: ${logFile})`);
    daemon.kill('SIGKILL');
    return 1;
  } finally {
    log.end();
    await c1.close();
    await fivetran.close();
  }
}

process.exitCode = await main();
