import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { AbuseEvent } from '../../entities/abuse-event.entity';
import type { KeyOperatorStore } from '../keys/key.operator-store';
import type { Page } from '../pagination';
import type { SharedState } from '../shared-state/shared-state';
import type { AbuseOperatorStore } from './abuse.operator-store';

export const AbuseKind = {
  IP_BLOCKED: 'AUTH_FAILURES_IP_BLOCKED',
  KEY_BLOCKED: 'RATE_HAMMERING_KEY_BLOCKED',
  KEY_SHARING: 'KEY_SHARING',
} as const;

/**
 * The automatic abuse rules of the contract. Counters and blocks live in SharedState, so with Redis every process
 * sees the same failures and honours the same blocks. Each rule that fires stores an AbuseEvent.
 */
export class AbuseService {
  constructor(
    private readonly store: AbuseOperatorStore,
    /** Where a block is shown on the key, for the operator. */
    private readonly keys: KeyOperatorStore,
    private readonly shared: SharedState,
    private readonly rules: Config['abuse'],
    private readonly clock: Clock,
  ) {}

  async ipBlockedUntil(ip: string): Promise<Date | null> {
    return this.shared.getUntil(`block:ip:${ip}`);
  }

  async keyBlockedUntil(keyId: string): Promise<Date | null> {
    return this.shared.getUntil(`block:key:${keyId}`);
  }

  /** A failed authentication from `ip`; past the threshold the IP is blocked whatever key it presents next. */
  async authFailed(ip: string): Promise<void> {
    const key = `authfail:ip:${ip}`;
    const failures = await this.shared.hit(key, this.rules.authFailureWindowSeconds * 1000);
    if (failures < this.rules.authFailures) return;
    const until = new Date(this.clock.now() + this.rules.ipBlockSeconds * 1000);
    await this.shared.setUntil(`block:ip:${ip}`, until);
    // Start counting afresh, so the next block needs a new burst rather than one more failure.
    await this.shared.clear(key);
    await this.event(AbuseKind.IP_BLOCKED, { ip }, `${failures} failed authentications within ${this.rules.authFailureWindowSeconds} s; IP blocked until ${until.toISOString()}.`);
  }

  /** A RATE_LIMITED refusal of a key; more than factor × rate of them within the window blocks the key. */
  async rateRefused(keyId: string, tenantId: string, ratePerMinute: number): Promise<Date | null> {
    const key = `refusals:key:${keyId}`;
    const refusals = await this.shared.hit(key, this.rules.rateRefusalWindowSeconds * 1000);
    if (refusals <= this.rules.rateRefusalFactor * ratePerMinute) return null;
    const until = new Date(this.clock.now() + this.rules.keyBlockSeconds * 1000);
    await this.shared.setUntil(`block:key:${keyId}`, until);
    await this.shared.clear(key);
    await this.keys.markKeyBlocked(keyId, until);
    await this.event(AbuseKind.KEY_BLOCKED, { tenantId, apiKeyId: keyId }, `${refusals} rate-limit refusals within ${this.rules.rateRefusalWindowSeconds} s; key blocked until ${until.toISOString()}.`);
    return until;
  }

  /** Notes the IP a key is used from; a key seen from too many IPs in the window raises one key-sharing event. */
  async keySeen(keyId: string, tenantId: string, ip: string): Promise<void> {
    const windowMs = this.rules.keySharingWindowSeconds * 1000;
    const ips = await this.shared.seen(`ips:key:${keyId}`, ip, windowMs);
    if (ips <= this.rules.keySharingIps) return;
    if (await this.shared.getUntil(`sharing:key:${keyId}`)) return;
    await this.shared.setUntil(`sharing:key:${keyId}`, new Date(this.clock.now() + windowMs));
    let detail = `Key used from ${ips} distinct IPs within ${this.rules.keySharingWindowSeconds} s.`;
    if (this.rules.keySharingBlocks) {
      const until = new Date(this.clock.now() + this.rules.keyBlockSeconds * 1000);
      await this.shared.setUntil(`block:key:${keyId}`, until);
      await this.keys.markKeyBlocked(keyId, until);
      detail += ` Key blocked until ${until.toISOString()}.`;
    }
    await this.event(AbuseKind.KEY_SHARING, { tenantId, apiKeyId: keyId, ip }, detail);
  }

  /** Lifts a key's block and forgets its refusals, so the next burst starts from zero. */
  async liftKeyBlock(keyId: string): Promise<void> {
    await this.shared.clear(`block:key:${keyId}`);
    await this.shared.clear(`refusals:key:${keyId}`);
  }

  list(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AbuseEvent>> {
    return this.store.abuseEvents(tenantId, first, after);
  }

  private async event(kind: string, who: { tenantId?: string; apiKeyId?: string; ip?: string }, detail: string) {
    await this.store.recordAbuseEvent({
      kind, tenantId: who.tenantId ?? null, apiKeyId: who.apiKeyId ?? null, ip: who.ip ?? null, detail,
    });
  }
}
