import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const REDACT_KEYS = [
  'authorization',
  'clientSecret',
  'client_secret',
  'apiSecret',
  'api_secret',
  'fivetranApiSecret',
  'password',
  'token',
  'accessToken',
  'access_token',
  'client_assertion',
  'secret',
];
const redactPaths = REDACT_KEYS.flatMap((k) => [
  k,
  `*.${k}`,
  `*.*.${k}`,
  `*.headers.${k}`,
  `req.headers.${k}`,
]);

export interface LoggerOptions {
  readonly level: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly format: 'json' | 'console';
  /** Where lines go; default stderr. Tests pass a sink. */
  readonly destination?: DestinationStream;
}

export function createLogger(o: LoggerOptions): Logger {
  const base = o.destination ?? process.stderr;
  const destination = o.format === 'console' ? consoleStream(base) : base;
  return pino(
    {
      level: o.level,
      name: 'baton-fivetran',
      base: undefined,
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

/**
 * Sends process warnings (deprecations, experimental features, MaxListeners) to the logger as one `warn`
 * line each, instead of Node's default plain-text print to stderr, so every output line stays JSON in the
 * json format. Node prints warnings through a 'warning' listener of its own, which this removes.
 */
export function routeProcessWarnings(proc: NodeJS.Process, log: Logger): void {
  proc.removeAllListeners('warning');
  proc.on('warning', (w: Error & { code?: string }) => {
    log.warn({ warning: { name: w.name, code: w.code, message: w.message } }, 'process warning');
  });
}

const LEVEL_TAG: Record<string, string> = {
  debug: 'DBG',
  info: 'INF',
  warn: 'WRN',
  error: 'ERR',
  fatal: 'FTL',
};

/** A small human-readable renderer: `time LVL message key=value ...` (no extra dependency). */
function consoleStream(out: DestinationStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const {
            time,
            level,
            msg,
            component,
            err,
            name: _name,
            ...rest
          } = JSON.parse(line) as Record<string, unknown>;
          const fields = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          const errText = err ? ` err=${(err as { message?: string }).message ?? JSON.stringify(err)}` : '';
          const scope = component ? `[${String(component)}] ` : '';
          out.write(
            `${String(time)} ${LEVEL_TAG[String(level)] ?? level} ${scope}${String(msg ?? '')} ${fields}${errText}\n`,
          );
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
