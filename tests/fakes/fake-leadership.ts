import type { Leadership } from "../../src/core/ports/leadership";

/** Leadership a test switches by hand (`set(true|false)`); listeners hear each change. */
export class FakeLeadership implements Leadership {
  private readonly listeners = new Set<(leader: boolean) => void>();

  constructor(private leader = false) {}

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const listener of [...this.listeners]) listener(leader);
  }
}
