import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig, parseArgv, ConfigError } from '../../../src/config/index.js';
import { emptyCwd } from './support.js';

const jwk = Buffer.from(
  JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'AAAA', d: 'SUPERSECRETKEYMATERIAL' }),
).toString('base64url');
const goodSecret = `secret-token:conductorone.com:v1:${jwk}`;

const load = (argv: string[], env: Record<string, string> = {}, requireCredentials = true) =>
  loadConfig({
    flags: parseArgv(argv).flags,
    env,
    isTTY: false,
    requireCredentials,
    cwd: emptyCwd(),
  });

const fivetranEnv = { BATON_FIVETRAN_API_KEY: 'key', BATON_FIVETRAN_API_SECRET: 'sec' };

describe('loadConfig', () => {
  it('applies defaults and runs one-shot without a client id', () => {
    const c = load([], fivetranEnv);
    expect(c.mode).toBe('one-shot');
    expect(c.sync.file).toBe('sync.c1z');
    expect(c.runtime.taskConcurrency).toBe(3);
    expect(c.runtime.opsListen).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(c.fivetran.baseUrl).toBe('https://api.fivetran.com/v1');
    expect(c.log.format).toBe('json');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lets flags win over env and env over the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'baton.yaml');
    writeFileSync(file, 'task-concurrency: 7\nfile: from-file.c1z\nlog-level: warn\n');
    const c = loadConfig({
      flags: parseArgv(['-f', 'flag.c1z', '-p']).flags,
      env: { ...fivetranEnv, BATON_CONFIG_PATH: file, BATON_TASK_CONCURRENCY: '9' },
      isTTY: false,
      requireCredentials: true,
    });
    expect(c.sync.file).toBe('flag.c1z');
    expect(c.runtime.taskConcurrency).toBe(9);
    expect(c.log.level).toBe('warn');
    expect(c.sync.provisioning).toBe(true);
  });

  it.each([
    [['--task-concurrency', '0'], {}, /--task-concurrency \(\$BATON_TASK_CONCURRENCY\).*between 1 and 100/],
    [
      [],
      { BATON_TASK_CONCURRENCY: 'lots' },
      /--task-concurrency \(\$BATON_TASK_CONCURRENCY\) from the environment/,
    ],
    [['--client-id', 'a@b.example/x'], {}, /--client-secret \(\$BATON_CLIENT_SECRET\) is required/],
    [
      [],
      { BATON_CLIENT_SECRET: goodSecret } as Record<string, string>,
      /--client-id \(\$BATON_CLIENT_ID\) is required/,
    ],
    [['--client-id', 'nohost'], { BATON_CLIENT_SECRET: goodSecret }, /invalid --client-id/],
    [['--fivetran-base-url', 'http://api.example.com/v1'], {}, /--fivetran-base-url.*loopback/],
    [['--log-format', 'xml'], {}, /--log-format.*json, console/],
    [['--bogus'], {}, /unknown flag --bogus/],
    [['--ops-listen-address', 'nope'], {}, /--ops-listen-address/],
  ])('rejects bad setting case %# (%j) naming the setting', (argv, env, pattern) => {
    expect(() => load(argv as string[], { ...fivetranEnv, ...(env as Record<string, string>) })).toThrow(
      pattern,
    );
  });

  it('names a malformed client secret without echoing it', () => {
    const bad = 'secret-token:conductorone.com:v1:bm90LWpzb24tU1VQRVJTRUNSRVQ';
    let err: unknown;
    try {
      load(['--client-id', 'a@b.example/x'], { ...fivetranEnv, BATON_CLIENT_SECRET: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/invalid --client-secret \(\$BATON_CLIENT_SECRET\)/);
    expect((err as Error).message).not.toContain('bm90LWpzb24');
  });

  it('requires Fivetran credentials only when asked to', () => {
    expect(() => load([], {})).toThrow(/--fivetran-api-key \(\$BATON_FIVETRAN_API_KEY\) is required/);
    expect(load([], {}, false).mode).toBe('one-shot');
  });

  it('reads env-only host id and API host override, even when empty', () => {
    const c = load(['--client-id', 'a@b.example/x'], {
      ...fivetranEnv,
      BATON_CLIENT_SECRET: goodSecret,
      BATON_HOST_ID: 'pod-1',
      BATON_C1_API_HOST: 'localhost:9443',
    });
    expect(c.mode).toBe('service');
    expect(c.controlPlane.hostId).toBe('pod-1');
    expect(c.controlPlane.apiHostOverride).toBe('localhost:9443');
    expect(load([], { ...fivetranEnv, BATON_HOST_ID: '' }).controlPlane.hostId).toBe('baton-sdk');
  });

  it('keeps secrets out of JSON and inspect output', () => {
    const c = load(['--client-id', 'a@b.example/x'], { ...fivetranEnv, BATON_CLIENT_SECRET: goodSecret });
    expect(JSON.stringify(c)).not.toContain(jwk);
    expect(inspect(c, { depth: 5 })).not.toContain(jwk);
    expect(JSON.stringify(c)).not.toContain('"sec"');
    expect(c.controlPlane.clientSecret.reveal()).toBe(goodSecret);
  });

  it('accepts http only for loopback base URLs', () => {
    expect(load(['--fivetran-base-url', 'http://127.0.0.1:8080/v1/'], fivetranEnv).fivetran.baseUrl).toBe(
      'http://127.0.0.1:8080/v1',
    );
  });

  it('reads the connection user scan settings, defaulting to auto up to 2,000 users', () => {
    expect(load([], fivetranEnv).fivetran.connectionUserScan).toEqual({ mode: 'auto', userLimit: 2000 });
    const c = load(['--connection-user-scan', 'always'], {
      ...fivetranEnv,
      BATON_CONNECTION_USER_SCAN_LIMIT: '0',
    });
    expect(c.fivetran.connectionUserScan).toEqual({ mode: 'always', userLimit: 0 });
    expect(() => load(['--connection-user-scan', 'sometimes'], fivetranEnv)).toThrow(
      /--connection-user-scan \(\$BATON_CONNECTION_USER_SCAN\).*auto, always, never/,
    );
    expect(() => load([], { ...fivetranEnv, BATON_CONNECTION_USER_SCAN_LIMIT: '-1' })).toThrow(
      /--connection-user-scan-limit \(\$BATON_CONNECTION_USER_SCAN_LIMIT\)/,
    );
  });
});
