// Failed authentications per client (a wrong or missing API key or session token), counted over every API-key
// and session-token route together, in fixed one-minute windows, in this process's memory (each instance
// counts on its own). Past the limit a client's failures are answered 429 (plugins/auth.ts); a right bearer
// still passes, so a shared address cannot be used to lock the app's backend out.
import { isIPv6 } from 'node:net';

/**
 * The client an address stands for: an IPv4 address as it is, an IPv6 one by its /64 (one subscriber's
 * network: a single host can use any address of it), an IPv4-mapped IPv6 address as the IPv4 it maps.
 */
export function clientOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return mapped;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

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
