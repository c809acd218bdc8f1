/**
 * `Math.floor` for x >= 0. Hot paths avoid `Math.*`: inside jest's VM context each call cost ~1.5 µs, which made
 * generating 20,000 users take seconds.
 */
export const floorPositive = (x: number): number => x - (x % 1);

/** Deterministic PRNG (sfc32): the same seed always yields the same sequence. */
export class SeededRandom {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;

  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return floorPositive(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A count whose mean is `mean`: floor(mean), plus one with probability frac(mean). */
  count(mean: number): number {
    const whole = floorPositive(mean);
    return whole + (this.chance(mean - whole) ? 1 : 0);
  }
}
