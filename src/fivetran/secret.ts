import { inspect } from 'node:util';

/** Anything that can hand over a secret value: a plain string or another module's secret wrapper. */
export type SecretInput = string | { reveal(): string };

/** Holds a credential so that logging, JSON or `util.inspect` of it never prints the value. */
export class Secret {
  readonly #value: string;

  constructor(value: SecretInput) {
    this.#value = typeof value === 'string' ? value : value.reveal();
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
