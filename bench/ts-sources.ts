// Imported first by the benchmarks that run on the TypeScript sources (node --experimental-transform-types):
// src/ uses NodeNext `.js` specifiers, and this hook maps a relative one that does not resolve to its `.ts` source.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith('.') && specifier.endsWith('.js'))
        return next(`${specifier.slice(0, -3)}.ts`, context);
      throw err;
    }
  },
});
