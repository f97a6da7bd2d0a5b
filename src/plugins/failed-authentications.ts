// Failed authentications per client (a wrong or missing API key or session token), counted over every API-key
// and session-token route together, in fixed one-minute windows, in this process's memory (each instance
// counts on its own). Past the limit the client is refused before its bearer is even looked at, a right one
// included: otherwise a guess that stops being refused would tell the guesser it was right.

export class FailedAuthentications {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Whole seconds until `client` may authenticate again; 0 when it may now. */
  retryAfterS(client: string): number {
    const window = this.windows.get(client);
    if (!window || window.endsAt <= this.now()) return 0;
    return window.failures >= this.perMinute ? Math.max(1, Math.ceil((window.endsAt - this.now()) / 1000)) : 0;
  }

  record(client: string): void {
    const now = this.now();
    const window = this.windows.get(client);
    if (window && window.endsAt > now) {
      window.failures += 1;
      return;
    }
    this.windows.delete(client);
    this.windows.set(client, { failures: 1, endsAt: now + 60_000 });
    if (this.windows.size > 10_000) this.forgetEnded(now);
  }

  /** Bounded memory under a flood of addresses: ended windows go, then the oldest if that was not enough. */
  private forgetEnded(now: number): void {
    for (const [client, window] of this.windows) if (window.endsAt <= now) this.windows.delete(client);
    for (const client of this.windows.keys()) {
      if (this.windows.size <= 10_000) break;
      this.windows.delete(client);
    }
  }
}
