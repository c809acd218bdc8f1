import { decodeKsuid, newKsuid, sqliteTime, SQLITE_TIME_PATTERN } from '../../../src/c1z/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('KSUID', () => {
  it('encodes the segmentio reference vector', () => {
    const payload = Buffer.from('B5A1CD34B5F99D1154FB6853345C9735', 'hex');
    expect(newKsuid((1_400_000_000 + 107_608_047) * 1000 + 999, () => payload)).toBe(
      '0ujtsYcgvSTl8PAuAdqWYSMnLOv',
    );
  });

  it('decodes back to its timestamp and payload', () => {
    const payload = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const nowMs = Date.UTC(2026, 2, 3, 9, 45, 13, 58);
    const id = newKsuid(nowMs, () => payload);
    expect(id).toMatch(/^[0-9A-Za-z]{27}$/);
    expect(decodeKsuid(id)).toEqual({ timestampSeconds: Math.floor(nowMs / 1000), payload });
  });

  it('zero-pads small values and accepts the largest one', () => {
    expect(newKsuid(1_400_000_000_000, () => new Uint8Array(16))).toBe('0'.repeat(27));
    expect(hex(decodeKsuid('aWgEPTl1tmebfsQzFP4bxwgy80V')!.payload)).toBe('FF'.repeat(16));
  });

  it('decodes the SDK fixture sync id to its March 2026 timestamp', () => {
    const seconds = decodeKsuid('3ARefY5G8eOytquwYgm41Nq07IZ')!.timestampSeconds;
    expect(new Date(seconds * 1000).toISOString().slice(0, 10)).toBe('2026-03-03');
  });

  it('rejects wrong lengths, foreign characters and overflow', () => {
    expect(decodeKsuid('0ujtsYcgvSTl8PAuAdqWYSMnLO')).toBeUndefined();
    expect(decodeKsuid('0ujtsYcgvSTl8PAuAdqWYSMnLO-')).toBeUndefined();
    expect(decodeKsuid('aWgEPTl1tmebfsQzFP4bxwgy80W')).toBeUndefined();
  });

  it('uses fresh random bytes for each id', () => {
    expect(newKsuid(Date.now())).not.toBe(newKsuid(Date.now()));
  });
});

describe('sqliteTime', () => {
  it('writes local wall-clock time with trailing fraction zeros trimmed', () => {
    expect(sqliteTime(new Date(2026, 2, 3, 9, 45, 13, 58).getTime())).toBe('2026-03-03 09:45:13.058');
    expect(sqliteTime(new Date(2026, 2, 3, 9, 45, 13, 500).getTime())).toBe('2026-03-03 09:45:13.5');
    expect(sqliteTime(new Date(2026, 11, 31, 23, 59, 5, 0).getTime())).toBe('2026-12-31 23:59:05');
  });

  it('produces strings that sort like the instants they name', () => {
    const times = [0, 1, 10, 999, 1000, 60_000].map((d) => sqliteTime(new Date(2026, 0, 1).getTime() + d));
    expect([...times].sort()).toEqual(times);
    for (const t of times) expect(t).toMatch(SQLITE_TIME_PATTERN);
  });
});
