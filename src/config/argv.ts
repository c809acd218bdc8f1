import { fieldByFlag, fieldByShort, type FieldSpec } from './schema.js';
import { ConfigError } from './config-error.js';

export interface ParsedArgv {
  /** Flag name → raw value as given (booleans as 'true'/'false'). */
  readonly flags: ReadonlyMap<string, string>;
  readonly positionals: readonly string[];
  readonly help: boolean;
  readonly version: boolean;
}

/**
 * Parses `--flag value`, `--flag=value`, `-f value`, `-p` and `--flag=false` for the schema's flags.
 * `extraFlags` are a subcommand's own flags (e.g. health-check's --endpoint). Unknown flags are errors.
 */
export function parseArgv(argv: readonly string[], extraFlags: readonly FieldSpec[] = []): ParsedArgv {
  const extra = new Map(extraFlags.map((f) => [f.flag, f]));
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '-v' || arg === '--version') {
      version = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const [name, inline] = splitOnce(arg.slice(long ? 2 : 1), '=');
    const field = long
      ? (extra.get(name) ?? fieldByFlag.get(name))
      : (extraFlags.find((f) => f.short === name) ?? fieldByShort.get(name));
    if (!field || field.envOnly) {
      throw new ConfigError(`unknown flag ${arg.split('=')[0]} (see --help)`);
    }
    if (field.kind === 'boolean') {
      flags.set(field.flag, inline ?? 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`flag --${field.flag} needs a value`);
    flags.set(field.flag, value);
  }
  return { flags, positionals, help, version };
}

const splitOnce = (s: string, sep: string): [string, string | undefined] => {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
};
