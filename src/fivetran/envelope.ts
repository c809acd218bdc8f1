import { Code } from '../connector/index.js';
import { FivetranApiError } from './errors.js';

/**
 * What a 200 to a GET must hold beyond the envelope (fivetran-api.md §2.1): a list page whose items all
 * carry `idKey`, or one object carrying `idKey`.
 */
export type ReadShape =
  { readonly kind: 'list'; readonly idKey: string } | { readonly kind: 'object'; readonly idKey: string };

/** The documented success `code` of every read (2xx writes may say `Created`, so writes are not checked). */
const READ_SUCCESS_CODE = 'Success';

/**
 * A 200 that is not a documented Fivetran answer: retryable (a proxy or a Fivetran incident, most likely)
 * and never taken as "nothing there", which would turn a bad page into deleted access.
 */
export const malformedResponse = (
  action: string,
  endpoint: string,
  problem: string,
  fivetranCode?: string,
): FivetranApiError =>
  new FivetranApiError(
    Code.UNAVAILABLE,
    `baton-fivetran: ${action}: Fivetran answered 200 with ${problem}; not a valid answer, so the read fails`,
    true,
    fivetranCode,
    endpoint,
    { httpStatus: 200 },
  );

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : v === undefined ? 'nothing' : `a ${typeof v}`;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `data` of a 200 to a GET, or a description of what is wrong with it. */
export const readEnvelope = (
  body: string,
  contentType: string | undefined,
  shape: ReadShape | undefined,
): { readonly data: unknown } | { readonly problem: string; readonly fivetranCode?: string } => {
  if (body.trim() === '') return { problem: 'an empty body' };
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return { problem: `a non-JSON body${contentType ? ` (${contentType.split(';')[0]})` : ''}` };
  }
  if (!isObject(v)) return { problem: `${describe(v)} instead of a JSON object` };
  const code = typeof v.code === 'string' ? v.code : undefined;
  if (code !== READ_SUCCESS_CODE) {
    return {
      problem: code === undefined ? 'no "code"' : `code "${code}" instead of "${READ_SUCCESS_CODE}"`,
      ...(code !== undefined ? { fivetranCode: code } : {}),
    };
  }
  if (!shape) return { data: v.data };
  const data = v.data;
  if (!isObject(data)) return { problem: `${describe(data)} as "data" instead of an object` };
  if (shape.kind === 'object') {
    return hasId(data, shape.idKey) ? { data } : { problem: `no "${shape.idKey}" in "data"` };
  }
  if (!Array.isArray(data.items))
    return { problem: `${describe(data.items)} as "data.items" instead of a list` };
  const cursor = data.next_cursor;
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') {
    return { problem: `${describe(cursor)} as "data.next_cursor"` };
  }
  const bad = data.items.findIndex((item) => !isObject(item) || !hasId(item, shape.idKey));
  if (bad >= 0) return { problem: `item ${bad + 1} of the page without a "${shape.idKey}"` };
  return { data };
};

const hasId = (o: Record<string, unknown>, key: string): boolean =>
  typeof o[key] === 'string' && o[key] !== '';
