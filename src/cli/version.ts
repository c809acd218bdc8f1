import { readFileSync } from 'node:fs';
import { embeddedText } from '../connector/embedded-assets.js';

/** The package version, read once from package.json beside dist/ (or src/ under tests, or embedded in a binary). */
export function readVersion(): string {
  try {
    const text =
      embeddedText('package.json') ?? readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const pkg = JSON.parse(text) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
