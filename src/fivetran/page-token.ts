import { invalidArgument } from '../connector/index.js';

/** Where a multi-phase listing stands: which Fivetran listing, and its cursor within it. */
export interface PhaseToken<P extends string> {
  readonly phase: P;
  readonly cursor?: string;
}

export const encodePhaseToken = <P extends string>(t: PhaseToken<P>): string =>
  JSON.stringify(t.cursor === undefined ? { phase: t.phase } : { phase: t.phase, cursor: t.cursor });

/** The first phase when there is no token; a token we did not write is an InvalidArgument. */
export const decodePhaseToken = <P extends string>(
  token: string | undefined,
  phases: readonly P[],
  what: string,
): PhaseToken<P> => {
  const first = phases[0] as P;
  if (token === undefined || token === '') return { phase: first };
  let v: unknown;
  try {
    v = JSON.parse(token);
  } catch {
    v = undefined;
  }
  const o = v as { phase?: unknown; cursor?: unknown } | undefined;
  if (
    o === null ||
    typeof o !== 'object' ||
    !phases.includes(o.phase as P) ||
    (o.cursor !== undefined && typeof o.cursor !== 'string')
  ) {
    throw invalidArgument(`baton-fivetran: ${what}: malformed page token`);
  }
  return { phase: o.phase as P, cursor: o.cursor as string | undefined };
};
