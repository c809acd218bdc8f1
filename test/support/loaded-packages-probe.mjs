// Preloaded into a CLI child (`NODE_OPTIONS=--import <this file>`): at exit, logs one JSON line naming the npm
// packages the process loaded through require (every CommonJS package, including those an ES module imports).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.replaceAll('\\', '/'));
    if (m) packages.add(m[1]);
  }
  process.stderr.write(`${JSON.stringify({ msg: 'loaded packages', packages: [...packages].sort() })}\n`);
});
