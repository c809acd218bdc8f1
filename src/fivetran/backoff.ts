/** Jittered exponential backoff: half the exponential delay fixed, half random, capped at `maxMs`. */
export const backoffMs = (
  attempt: number,
  o: { readonly baseMs: number; readonly maxMs: number; readonly random: () => number },
): number => {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** attempt);
  return Math.round(exp / 2 + (o.random() * exp) / 2);
};

/**
 * `Retry-After` as milliseconds: integer seconds (what Fivetran sends) or an HTTP date.
 * Undefined when missing or unparsable, so the caller falls back to backoff.
 */
export const parseRetryAfterMs = (value: string | undefined, nowMs: number): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
};
