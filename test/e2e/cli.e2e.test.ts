import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { envName, fields, type FieldSpec } from '../../src/config/index.js';
import { assertBuilt, CliHarness, freePort, listDir, REPO_ROOT, scanForSecrets } from './harness.js';

assertBuilt();

const harness = new CliHarness();
afterAll(() => harness.cleanup());

const VALID_CLIENT_ID = 'swift-otter-12345@acme.conductor.one/pcc';

/** A loopback HTTP server that records every request: proves a command made no network call. */
let tripwire: Server;
let tripwireUrl: string;
let tripwireHits = 0;
beforeAll(async () => {
  tripwire = createServer((_req, res) => {
    tripwireHits++;
    res.writeHead(500).end();
  });
  await new Promise<void>((done) => tripwire.listen(0, '127.0.0.1', done));
  tripwireUrl = `http://127.0.0.1:${(tripwire.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((done) => tripwire.close(() => done())));

const expectedDefault = (f: FieldSpec): string | undefined => {
  if (f.defaultLabel) return `(default: ${f.defaultLabel})`;
  if (f.kind === 'boolean' || f.default === null || f.default === '') return undefined;
  if (Array.isArray(f.default)) return f.default.length ? `(default "${f.default.join(',')}")` : undefined;
  return typeof f.default === 'string' ? `(default "${f.default}")` : `(default ${String(f.default)})`;
};

describe('--help', () => {
  it('lists every setting with its env var and default, and marks the required ones', async () => {
    const p = await harness.run(['--help']);
    expect(p.exit).toEqual({ code: 0, signal: null });
    const lines = p.stdout.split('\n');
    for (const f of fields as readonly FieldSpec[]) {
      const env = `$${envName(f.flag)}`;
      const line = f.envOnly
        ? lines.find((l) => l.trimStart().startsWith(envName(f.flag)))
        : lines.find((l) => new RegExp(`^\\s+(-\\w, )?--${f.flag}(\\s|$)`).test(l));
      expect({ flag: f.flag, line: line ?? null }).toEqual({ flag: f.flag, line: expect.any(String) });
      if (!f.envOnly) expect(line).toContain(`(${env})`);
      if (f.short) expect(line).toContain(`-${f.short}, --${f.flag}`);
      const def = expectedDefault(f);
      if (def) expect(line).toContain(def);
      if (f.requiredIn) expect(line).toMatch(/\brequired\b/);
      else expect(line).not.toMatch(/\brequired:/);
    }
    expect(p.stderr).toBe('');
  });

  it('is also printed by the help subcommand and by a subcommand given --help', async () => {
    const [viaHelp, viaSub] = await Promise.all([harness.run(['help']), harness.run(['config', '--help'])]);
    for (const p of [viaHelp, viaSub]) {
      expect(p.exit?.code).toBe(0);
      expect(p.stdout).toContain('--fivetran-api-key');
    }
  });
});

describe('--version', () => {
  it('prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string };
    const [long, short] = await Promise.all([harness.run(['--version']), harness.run(['-v'])]);
    for (const p of [long, short]) {
      expect(p.exit).toEqual({ code: 0, signal: null });
      expect(p.stdout.trim()).toBe(`baton-fivetran version ${version}`);
    }
  });
});

describe('config', () => {
  it('prints valid JSON describing every field with its env var, required and secret flags', async () => {
    const p = await harness.run(['config']);
    expect(p.exit?.code).toBe(0);
    const schema = JSON.parse(p.stdout) as {
      displayName: string;
      fields: { name: string; envVar: string; isRequired: boolean; isSecret: boolean }[];
    };
    expect(schema.displayName).toBe('Fivetran');
    expect(schema.fields.map((f) => f.name).sort()).toEqual(fields.map((f) => f.flag).sort());
    for (const f of fields as readonly FieldSpec[]) {
      const out = schema.fields.find((x) => x.name === f.flag)!;
      expect(out).toMatchObject({
        envVar: envName(f.flag),
        isRequired: !!f.requiredIn,
        isSecret: !!f.secret,
      });
    }
  });
});

describe('capabilities', () => {
  it('needs no credentials, calls nothing and matches the Fivetran model', async () => {
    const p = await harness.run(['capabilities'], { env: { BATON_FIVETRAN_BASE_URL: tripwireUrl } });
    expect(p.exit).toEqual({ code: 0, signal: null });
    const caps = JSON.parse(p.stdout) as {
      '@type': string;
      connectorCapabilities: string[];
      resourceTypeCapabilities: { resourceType: { id: string }; capabilities: string[] }[];
    };
    expect(caps['@type']).toBe('type.googleapis.com/c1.connector.v2.ConnectorCapabilities');
    expect([...caps.connectorCapabilities].sort()).toEqual(
      [
        'CAPABILITY_ACCOUNT_PROVISIONING',
        'CAPABILITY_PROVISION',
        'CAPABILITY_RESOURCE_DELETE',
        'CAPABILITY_SYNC',
        'CAPABILITY_TARGETED_SYNC',
        'CAPABILITY_SERVICE_MODE_TARGETED_SYNC',
        'CAPABILITY_SYNC_SECRETS',
      ].sort(),
    );
    const byType = Object.fromEntries(
      caps.resourceTypeCapabilities.map((r) => [r.resourceType.id, [...r.capabilities].sort()]),
    );
    const syncProvision = ['CAPABILITY_PROVISION', 'CAPABILITY_SYNC', 'CAPABILITY_TARGETED_SYNC'];
    expect(byType).toEqual({
      user: [
        'CAPABILITY_ACCOUNT_PROVISIONING',
        'CAPABILITY_RESOURCE_DELETE',
        'CAPABILITY_SYNC',
        'CAPABILITY_TARGETED_SYNC',
      ],
      group: syncProvision,
      team: syncProvision,
      role: syncProvision,
      connection: syncProvision,
      system_key: ['CAPABILITY_SYNC', 'CAPABILITY_SYNC_SECRETS'],
    });
    const systemKey = caps.resourceTypeCapabilities.find((r) => r.resourceType.id === 'system_key');
    expect(systemKey?.resourceType).toEqual({
      id: 'system_key',
      displayName: 'System Key',
      traits: ['TRAIT_SECRET'],
    });
    expect(tripwireHits).toBe(0);
  });
});

describe('invalid configuration', () => {
  const secretLike = 'supersecretvalue-9f8e7d6c5b4a';
  const cases: {
    name: string;
    args?: string[];
    env?: Record<string, string>;
    names: string[];
    secret?: string;
  }[] = [
    {
      name: 'a client secret without the v1 token shape',
      env: { BATON_CLIENT_ID: VALID_CLIENT_ID, BATON_CLIENT_SECRET: `not-a-token-${secretLike}` },
      names: ['--client-secret', '$BATON_CLIENT_SECRET'],
      secret: `not-a-token-${secretLike}`,
    },
    {
      name: 'a client secret whose key part is not a JWK',
      args: ['--client-id', VALID_CLIENT_ID, '--client-secret', `secret-token:acme:v1:${secretLike}`],
      names: ['--client-secret', '$BATON_CLIENT_SECRET'],
      secret: secretLike,
    },
    {
      name: 'a client ID without a secret',
      env: { BATON_CLIENT_ID: VALID_CLIENT_ID },
      names: ['--client-secret', '$BATON_CLIENT_SECRET'],
    },
    {
      name: '--task-concurrency 0',
      args: ['--task-concurrency', '0'],
      env: { BATON_FIVETRAN_API_KEY: 'k', BATON_FIVETRAN_API_SECRET: secretLike },
      names: ['--task-concurrency', '$BATON_TASK_CONCURRENCY'],
      secret: secretLike,
    },
    {
      name: 'a non-loopback http:// Fivetran base URL',
      args: ['--fivetran-base-url', 'http://api.example.com/v1'],
      env: { BATON_FIVETRAN_API_KEY: 'k', BATON_FIVETRAN_API_SECRET: secretLike },
      names: ['--fivetran-base-url', '$BATON_FIVETRAN_BASE_URL'],
      secret: secretLike,
    },
    {
      name: 'a missing Fivetran API key in one-shot mode',
      env: { BATON_FIVETRAN_API_SECRET: secretLike },
      names: ['--fivetran-api-key', '$BATON_FIVETRAN_API_KEY'],
      secret: secretLike,
    },
    { name: 'an unknown flag', args: ['--no-such-flag', 'x'], names: ['--no-such-flag'] },
  ];

  it.each(cases)('$name: exits non-zero with one line naming the setting', async (c) => {
    const p = await harness.run(c.args ?? [], { env: c.env ?? {} });
    expect(p.exit?.code).not.toBe(0);
    expect(p.exit?.code).not.toBeNull();
    const lines = p.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    for (const name of c.names) expect(lines[0]).toContain(name);
    expect(lines[0]).toMatch(/^baton-fivetran: /);
    expect(p.stdout).toBe('');
    if (c.secret) expect(scanForSecrets([p.stdout, p.stderr], [c.secret])).toEqual([]);
    // Nothing was started: no c1z, no working files.
    expect(await listDir(p.cwd)).toEqual([]);
  });
});

describe('health-check', () => {
  it('exits 1 with one line when nothing listens on the ops address', async () => {
    const port = await freePort();
    const [byFlag, byEnv] = await Promise.all([
      harness.run(['health-check', '--ops-listen-address', `127.0.0.1:${port}`]),
      harness.run(['health-check', '--endpoint', 'ready'], {
        env: { BATON_OPS_LISTEN_ADDRESS: `127.0.0.1:${port}` },
      }),
    ]);
    for (const p of [byFlag, byEnv]) {
      expect(p.exit).toEqual({ code: 1, signal: null });
      const lines = p.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/health-check/);
      expect(p.stdout).toBe('');
    }
    expect(byEnv.stderr).toContain('ready');
  });

  it('rejects an unknown endpoint as a usage error', async () => {
    const p = await harness.run(['health-check', '--endpoint', 'metrics']);
    expect(p.exit?.code).toBe(2);
    expect(p.stderr).toContain('--endpoint');
  });
});
