// The SDK's `sqliteTimeFormat` (Go layout `2006-01-02 15:04:05.999999999`): local wall clock, a space, no
// zone, fraction with trailing zeros trimmed. The SDK compares these strings byte-wise, so the shape is exact.

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function sqliteTime(epochMs: number): string {
  const d = new Date(epochMs);
  const base =
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const fraction = pad(d.getMilliseconds(), 3).replace(/0+$/, '');
  return fraction === '' ? base : `${base}.${fraction}`;
}

/** Matches every value `sqliteTime` (and the SDK) writes. */
export const SQLITE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])?$/;
