import { envName, fields } from './schema.js';

/** `BATON_*` variables read outside the schema: by `loadConfig` itself and by the scripts in `scripts/`. */
const OTHER_KNOWN_ENV = [
  'BATON_CONFIG_PATH', // the YAML config file (load-config.ts)
  'BATON_NODE24_DIR', // where scripts/node24.sh installs Node 24
  'BATON_TOOLS_CACHE', // where scripts/check-deploy.sh keeps helm and kubectl
] as const;

const KNOWN_BATON_ENV: ReadonlySet<string> = new Set([
  ...fields.map((f) => envName(f.flag)),
  ...OTHER_KNOWN_ENV,
]);

/** A `BATON_*` variable no setting reads, and the known name closest to it (likely a typo of it). */
export interface UnknownEnvVar {
  readonly name: string;
  readonly closest: string;
}

/** Every `BATON_*` name in `env` that nothing reads, sorted, each with the closest known name. */
export function unknownBatonEnv(env: Readonly<Record<string, string | undefined>>): UnknownEnvVar[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('BATON_') && !KNOWN_BATON_ENV.has(name))
    .sort()
    .map((name) => ({ name, closest: closestName(name, KNOWN_BATON_ENV) }));
}

/** The candidate with the smallest edit distance to `name` (the first such in order on a tie). */
export function closestName(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, substitution));
    }
    prev = row;
  }
  return prev[b.length]!;
}
