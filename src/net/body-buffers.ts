/**
 * Reused byte buffers that HTTP response bodies are assembled in before being decoded once into a string.
 *
 * Decoding chunk by chunk (`setEncoding('utf8')` and `+=`) allocates every body twice on the V8 heap, as
 * chunk strings and as the flat copy `JSON.parse` makes of their concatenation; and `Buffer.concat` allocates
 * a fresh off-heap copy per body that only a garbage collection frees. Copying the chunks into a buffer kept
 * from one response to the next leaves one allocation per body: the string itself.
 */
export class BodyBuffers {
  readonly #free: Buffer[] = [];
  readonly #initialBytes: number;
  readonly #maxPooled: number;
  readonly #maxPooledBytes: number;

  constructor(
    o: {
      /** Size of a new buffer; it doubles as a body needs. Default 256 KiB. */
      readonly initialBytes?: number;
      /** Buffers kept for reuse (about one per request in flight). Default 8. */
      readonly maxPooled?: number;
      /** A buffer grown past this is dropped after use rather than kept. Default 4 MiB. */
      readonly maxPooledBytes?: number;
    } = {},
  ) {
    this.#initialBytes = o.initialBytes ?? 256 * 1024;
    this.#maxPooled = o.maxPooled ?? 8;
    this.#maxPooledBytes = o.maxPooledBytes ?? 4 * 1024 * 1024;
  }

  /** A collector for one body. Its `text()` gives the buffer back; one that is never read is just dropped. */
  collect(): BodyCollector {
    return new BodyCollector(this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#initialBytes), (buf) =>
      this.#release(buf),
    );
  }

  /** Buffers waiting to be reused. */
  get pooled(): number {
    return this.#free.length;
  }

  #release(buf: Buffer): void {
    if (this.#free.length < this.#maxPooled && buf.length <= this.#maxPooledBytes) this.#free.push(buf);
  }
}

export class BodyCollector {
  #buf: Buffer | undefined;
  #length = 0;
  readonly #release: (buf: Buffer) => void;

  constructor(buf: Buffer, release: (buf: Buffer) => void) {
    this.#buf = buf;
    this.#release = release;
  }

  push(chunk: Buffer): void {
    let buf = this.#taken();
    const needed = this.#length + chunk.length;
    if (needed > buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, buf.length * 2));
      buf.copy(grown, 0, 0, this.#length);
      this.#buf = buf = grown;
    }
    chunk.copy(buf, this.#length);
    this.#length = needed;
  }

  /** The body decoded as UTF-8 (invalid sequences become U+FFFD, as a string decoder does); once only. */
  text(): string {
    const buf = this.#taken();
    const text = buf.toString('utf8', 0, this.#length);
    this.#buf = undefined;
    this.#release(buf);
    return text;
  }

  #taken(): Buffer {
    if (!this.#buf) throw new Error('body collector used after text()');
    return this.#buf;
  }
}
