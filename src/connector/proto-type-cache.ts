import protobuf from 'protobufjs';

// Type URLs come from code and stored rows, so this bounds the cache only against a flood of bogus ones.
const MAX_URLS = 10_000;

/** Memoised Root lookups: protobufjs's `lookup` walks the namespace tree on every call. */
export class ProtoTypeCache {
  private readonly byNameCache = new Map<string, protobuf.Type | null>();
  private readonly byUrlCache = new Map<string, protobuf.Type | null>();

  constructor(private readonly root: protobuf.Root) {}

  /** The message type named `fullName` (with or without the leading dot), if it is one. */
  byName(fullName: string): protobuf.Type | undefined {
    let type = this.byNameCache.get(fullName);
    if (type === undefined) {
      const found = this.root.lookup(fullName.startsWith('.') ? fullName.slice(1) : fullName);
      type = found instanceof protobuf.Type ? found : null;
      this.byNameCache.set(fullName, type);
    }
    return type ?? undefined;
  }

  /** The message type a google.protobuf.Any type URL names (text after the last '/'), if it is one. */
  byTypeUrl(typeUrl: string): protobuf.Type | undefined {
    const cached = this.byUrlCache.get(typeUrl);
    if (cached !== undefined) return cached ?? undefined;
    const type = this.byName(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    if (this.byUrlCache.size < MAX_URLS) this.byUrlCache.set(typeUrl, type ?? null);
    return type;
  }
}
