/**
 * A small least-recently-used cache whose entries also expire: at most `capacity` entries (the least
 * recently used goes first), each for `ttlMs` after it was stored. For answers keyed by things callers
 * choose (people, teams, groups): the map can never grow past `capacity`, whoever calls.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly until: number }>();

  constructor(private readonly options: { readonly capacity: number; readonly ttlMs: number; readonly now: () => number }) {
    if (options.capacity < 1) throw new Error("BoundedCache: capacity must be at least 1");
  }

  /** The value stored for `key` if it has not expired (it becomes the most recently used). */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= this.options.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.options.now() + this.options.ttlMs });
    while (this.entries.size > this.options.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
