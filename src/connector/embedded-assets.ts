// Files shipped inside a Node single-executable application (SEA) instead of beside the code. In a normal
// `node dist/main.js` run there are none, and callers read the file from disk as before.
import sea from 'node:sea';

/** True when running as a single executable built by `npm run build:binary`. */
export const runningAsSingleExecutable = (): boolean => sea.isSea();

/** The text of an embedded asset, or undefined when not running as a single executable or it is absent. */
export const embeddedText = (key: string): string | undefined => {
  if (!sea.isSea()) return undefined;
  return sea.getAssetKeys().includes(key) ? sea.getAsset(key, 'utf8') : undefined;
};

/** Keys of the embedded assets under `prefix` (e.g. 'protos/'), sorted; empty outside a single executable. */
export const embeddedKeys = (prefix: string): string[] =>
  sea.isSea()
    ? sea
        .getAssetKeys()
        .filter((k) => k.startsWith(prefix))
        .sort()
    : [];
