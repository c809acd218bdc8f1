/** A resource named on the command line: its type and id, and its parent's for child resources. */
export interface ResourceRef {
  readonly id: { readonly resourceType: string; readonly resource: string };
  readonly parentResourceId?: { readonly resourceType: string; readonly resource: string };
}

const PREFIX = 'bid:r:';
const ESCAPABLE = new Set([':', '/', '\\']);

/**
 * Parses a Baton resource id as `--sync-resources` takes it (baton-sdk `pkg/bid`):
 * `bid:r:<type>/<id>` or `bid:r:<parent type>/<parent id>/<type>/<id>`, where `\:`, `\/` and `\\` stand
 * for those characters inside a part. Throws an Error saying what is wrong.
 */
export function parseResourceBid(text: string): ResourceRef {
  if (!text.startsWith(PREFIX)) throw new Error(`"${text}" does not start with ${PREFIX}`);
  const parts: string[] = [];
  let part = '';
  for (let i = PREFIX.length; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined || !ESCAPABLE.has(next)) throw new Error(`"${text}" has a bad escape at ${i}`);
      part += next;
      i++;
    } else if (c === '/') {
      parts.push(part);
      part = '';
    } else if (c === ':') {
      throw new Error(`"${text}" has an unescaped ':' at ${i}`);
    } else {
      part += c;
    }
  }
  parts.push(part);
  if ((parts.length !== 2 && parts.length !== 4) || parts.some((p) => p === '')) {
    throw new Error(
      `"${text}" is not ${PREFIX}<type>/<id> or ${PREFIX}<parent type>/<parent id>/<type>/<id>`,
    );
  }
  const [a, b, c, d] = parts as [string, string, string?, string?];
  if (c === undefined || d === undefined) return { id: { resourceType: a, resource: b } };
  return { id: { resourceType: c, resource: d }, parentResourceId: { resourceType: a, resource: b } };
}
