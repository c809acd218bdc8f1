// Runs the built CLI (`node dist/main.js`) as a real child process with a controlled environment.
// Shared by every e2e test file (one-shot, subcommands, service mode).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { imageEnv } from '../../soak/image-env.js';
import { REPO_ROOT } from '../support/repo-files.js';

export { REPO_ROOT };

export const MAIN_JS = join(REPO_ROOT, 'dist', 'main.js');

/** Throws a clear error unless `dist/main.js` exists; call it at the top of every e2e test file. */
export function assertBuilt(): void {
  if (!existsSync(MAIN_JS)) {
    throw new Error(
      `e2e tests run the built CLI, but ${MAIN_JS} does not exist: run \`npm run build\` first ` +
        '(`npm test` builds before running jest)',
    );
  }
}

/** The settings that point the CLI at a (fake) Fivetran account with its admin key. */
export const fivetranEnv = (fivetran: {
  readonly baseUrl: string;
  readonly keys: { readonly admin: { readonly key: string; readonly secret: string } };
}) => ({
  BATON_FIVETRAN_API_KEY: fivetran.keys.admin.key,
  BATON_FIVETRAN_API_SECRET: fivetran.keys.admin.secret,
  BATON_FIVETRAN_BASE_URL: fivetran.baseUrl,
});

/** One parsed JSON log line from stderr; `msg` and `level` are pino's. */
export type LogLine = Record<string, unknown> & { readonly msg?: string; readonly level?: string };

export interface Exit {
  /** Null when the process was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartOptions {
  /** Extra environment; nothing is inherited from the parent except PATH. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory; default a fresh temp dir. */
  readonly cwd?: string;
  /** SIGKILL after this long whatever happens (default 25 s), so nothing outlives a test. */
  readonly hardTimeoutMs?: number;
  /** Run this executable with `args` instead of `node dist/main.js` (e.g. the single-executable build). */
  readonly executable?: string;
  /** The child's stdout is a pipe whose reading end is closed at once, as when piped into `head -0`. */
  readonly closedStdout?: boolean;
}

/** A running (or finished) CLI process with its captured output. */
export class CliProcess {
  readonly cwd: string;
  /** The directory given to the child as TMPDIR, HOME and os.tmpdir(): inspect it for leftovers. */
  readonly tmpDir: string;
  readonly args: readonly string[];
  readonly #child: ChildProcess;
  readonly #stdout: Buffer[] = [];
  readonly #stderr: Buffer[] = [];
  readonly #logs: LogLine[] = [];
  readonly #plain: string[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #exited: Promise<Exit>;
  readonly #hardTimer: NodeJS.Timeout;
  #partial = '';
  #exit: Exit | undefined;
  #timedOut = false;

  constructor(args: readonly string[], cwd: string, tmpDir: string, o: StartOptions) {
    this.args = args;
    this.cwd = cwd;
    this.tmpDir = tmpDir;
    const [command, argv] = o.executable ? [o.executable, args] : [process.execPath, [MAIN_JS, ...args]];
    this.#child = spawn(command, argv, {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpDir, TMPDIR: tmpDir, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (o.closedStdout) this.#child.stdout!.destroy();
    else {
      this.#child.stdout!.on('data', (b: Buffer) => {
        this.#stdout.push(b);
        this.#notify();
      });
    }
    this.#child.stderr!.on('data', (b: Buffer) => {
      this.#stderr.push(b);
      this.#parse(b.toString('utf8'));
      this.#notify();
    });
    this.#exited = new Promise((done) => {
      this.#child.on('close', (code, signal) => {
        clearTimeout(this.#hardTimer);
        if (this.#partial) this.#parseLine(this.#partial);
        this.#partial = '';
        this.#exit = { code, signal };
        this.#notify();
        done(this.#exit);
      });
      this.#child.on('error', () => {
        // 'close' still follows a spawn error.
      });
    });
    this.#hardTimer = setTimeout(() => {
      this.#timedOut = true;
      this.#child.kill('SIGKILL');
    }, o.hardTimeoutMs ?? 25_000);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }
  get stdout(): string {
    return Buffer.concat(this.#stdout).toString('utf8');
  }
  get stderr(): string {
    return Buffer.concat(this.#stderr).toString('utf8');
  }
  /** Every stderr line that parsed as a JSON object, in order. */
  get logs(): readonly LogLine[] {
    return this.#logs;
  }
  /** Stderr lines that are not JSON (e.g. the one-line `baton-fivetran: …` error). */
  get plainStderr(): readonly string[] {
    return this.#plain;
  }
  get exit(): Exit | undefined {
    return this.#exit;
  }
  /** True when the hard timeout killed the process. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Resolves with the first log line (already seen or future) that matches; rejects on timeout or exit. */
  waitForLog(pred: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return this.#waitFor(
      () => this.#logs.find(pred),
      timeoutMs,
      'a matching log line',
      /* failOnExit */ true,
    );
  }

  /** Resolves with the exit status; on timeout SIGKILLs the process and rejects with its output. */
  async waitForExit(timeoutMs = 20_000): Promise<Exit> {
    try {
      return await this.#waitFor(() => this.#exit, timeoutMs, 'the process to exit', false);
    } catch (err) {
      this.kill('SIGKILL');
      await this.#exited;
      throw err;
    }
  }

  /** Sends a signal if the process still runs; returns whether one was sent. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    return this.#exit === undefined && this.#child.kill(signal);
  }

  /** Everything captured so far, for failure messages. */
  describe(): string {
    const exit = this.#exit ? `code ${this.#exit.code} signal ${this.#exit.signal}` : 'running';
    return `$ baton-fivetran ${this.args.join(' ')}\n[${exit}]\n--- stdout\n${tail(this.stdout)}\n--- stderr\n${tail(this.stderr)}`;
  }

  #waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string, failOnExit: boolean): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const finish = (err: Error | undefined, value?: T) => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        if (err) reject(err);
        else resolvePromise(value as T);
      };
      const listener = () => {
        const value = check();
        if (value !== undefined) finish(undefined, value);
        else if (failOnExit && this.#exit)
          finish(new Error(`process exited before ${what}\n${this.describe()}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`)),
        timeoutMs,
      );
      this.#listeners.add(listener);
      listener();
    });
  }

  #notify(): void {
    for (const l of [...this.#listeners]) l();
  }

  #parse(chunk: string): void {
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#parseLine(line);
  }

  #parseLine(raw: string): void {
    const line = raw.trimEnd();
    if (!line) return;
    if (line.startsWith('{')) {
      try {
        const value: unknown = JSON.parse(line);
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          this.#logs.push(value as LogLine);
          return;
        }
      } catch {
        // not JSON: kept as plain text below
      }
    }
    this.#plain.push(line);
  }
}

const tail = (text: string, max = 4000): string => (text.length > max ? `…${text.slice(-max)}` : text);

/** Spawns CLI processes in fresh temp dirs and cleans all of them up in `cleanup` (call it in afterAll/afterEach). */
export class CliHarness {
  readonly #processes = new Set<CliProcess>();
  readonly #dirs = new Set<string>();
  readonly #defaults: StartOptions;

  /** `defaults` apply to every process started (e.g. `{ executable }`); per-call options win. */
  constructor(defaults: StartOptions = {}) {
    this.#defaults = defaults;
  }

  /** A fresh empty directory under the OS temp dir, removed by `cleanup`. */
  async tempDir(prefix = 'baton-e2e-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.#dirs.add(dir);
    return dir;
  }

  /** Starts `node dist/main.js ...args`; the child gets only PATH, HOME/TMPDIR (a fresh dir) and `env`. */
  async start(args: readonly string[], o: StartOptions = {}): Promise<CliProcess> {
    const cwd = o.cwd ?? (await this.tempDir('baton-e2e-cwd-'));
    const tmp = await this.tempDir('baton-e2e-tmp-');
    const proc = new CliProcess(args, cwd, tmp, {
      ...this.#defaults,
      ...o,
      env: { ...this.#defaults.env, ...o.env },
    });
    this.#processes.add(proc);
    return proc;
  }

  /** Starts the CLI and waits for it to exit (default 20 s). */
  async run(args: readonly string[], o: StartOptions & { timeoutMs?: number } = {}): Promise<CliProcess> {
    const proc = await this.start(args, o);
    await proc.waitForExit(o.timeoutMs ?? 20_000);
    return proc;
  }

  /** Every process started so far (for suite-wide secret scans). */
  get processes(): readonly CliProcess[] {
    return [...this.#processes];
  }

  /** SIGKILLs anything still running, waits for it, and removes every temp dir. */
  async cleanup(): Promise<void> {
    await Promise.all(
      [...this.#processes].map(async (p) => {
        if (p.kill('SIGKILL')) await p.waitForExit(5_000).catch(() => undefined);
      }),
    );
    await Promise.all([...this.#dirs].map((d) => rm(d, { recursive: true, force: true })));
    this.#dirs.clear();
  }
}

export interface SecretFinding {
  /** Index of the secret in the list given. */
  readonly secretIndex: number;
  /** Index of the text in the list given. */
  readonly textIndex: number;
  /** Which form was found: raw, base64, base64url, hex or uri-encoded. */
  readonly form: string;
}

/**
 * Finds secrets in captured output or file bytes, in the forms they could leak in (raw, base64 as in a Basic
 * header or a JSON-encoded blob, hex, URI-encoded). A c1z is zstd-compressed: pass `c1zPlainBytes(bytes)` too.
 * Returns findings that name indices only, so a failure message never prints the secret itself.
 */
export function scanForSecrets(
  texts: readonly (string | Uint8Array)[],
  secrets: readonly string[],
): SecretFinding[] {
  const findings: SecretFinding[] = [];
  secrets.forEach((secret, secretIndex) => {
    if (secret.length < 6) throw new Error(`scanForSecrets: secret #${secretIndex} is too short to scan for`);
    const forms: [string, Buffer][] = [
      ['raw', Buffer.from(secret)],
      ['base64', Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, ''))],
      ['base64url', Buffer.from(Buffer.from(secret).toString('base64url'))],
      ['hex', Buffer.from(Buffer.from(secret).toString('hex'))],
      ['uri-encoded', Buffer.from(encodeURIComponent(secret))],
    ];
    texts.forEach((text, textIndex) => {
      const hay = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text);
      // base64 of a secret depends on its alignment inside a longer value (e.g. `key:secret` in a Basic
      // header), so also look for the base64 of each of the three shifts, minus the unstable edge characters.
      const shifted = [0, 1, 2].map((pad): [string, Buffer] => {
        const b64 = Buffer.from('x'.repeat(pad) + secret).toString('base64');
        const start = pad === 0 ? 0 : 4;
        return [`base64+${pad}`, Buffer.from(b64.slice(start, Math.max(start, b64.length - 4)))];
      });
      for (const [form, needle] of [...forms, ...shifted]) {
        if (needle.length >= 6 && hay.includes(needle)) {
          findings.push({ secretIndex, textIndex, form });
          break;
        }
      }
    });
  });
  return findings;
}

/** The SQLite bytes inside a v1 c1z (`C1ZF\0` + one zstd frame), for scanning. */
export function c1zPlainBytes(c1z: Uint8Array): Buffer {
  const magic = Buffer.from('C1ZF\x00', 'latin1');
  const buf = Buffer.from(c1z);
  if (!buf.subarray(0, magic.length).equals(magic)) throw new Error('not a v1 c1z (bad magic)');
  return zstdDecompressSync(buf.subarray(magic.length));
}

/** Names in `dir` (not recursive), sorted: to prove a failed sync left no file or temp file behind. */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** A port that was free a moment ago on 127.0.0.1 (for flags that need a fixed port, e.g. --ops-listen-address). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Runs `node --input-type=module -e script arg` with the container image's environment (NODE_OPTIONS and the
 * MALLOC_* settings of the Dockerfile) from the repository root; resolves with its exit code and output.
 */
export function runImageNode(
  script: string,
  arg: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    ...imageEnv(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, arg], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
