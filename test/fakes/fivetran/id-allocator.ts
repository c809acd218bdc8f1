import type { SeededRandom } from './seeded-random.js';
import { ID_WORDS } from './words.js';

/** Allocates unique Fivetran-style `word_word` ids (three words once pairs get crowded). */
export class IdAllocator {
  readonly #used: Set<string>;

  constructor(
    private readonly rnd: SeededRandom,
    used: Iterable<string> = [],
  ) {
    this.#used = new Set(used);
  }

  next(): string {
    for (let attempt = 0; ; attempt++) {
      const words = [this.rnd.pick(ID_WORDS), this.rnd.pick(ID_WORDS)];
      if (attempt >= 20) words.push(this.rnd.pick(ID_WORDS));
      const id = words.join('_');
      if (!this.#used.has(id)) {
        this.#used.add(id);
        return id;
      }
    }
  }
}
