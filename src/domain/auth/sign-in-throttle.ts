import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { SignInThrottleRecord, SignInThrottleScope, Store } from '../../store/types.js';

/**
 * How many failed sign-ins are allowed within `windowMs` before sign-in is refused for `lockMs`.
 * Three counters, because each alone is either too weak or a way to lock people out:
 * - `perPair`: one account from one client address. Strict: this is a guesser at work.
 * - `perAddress`: any accounts from one address (password spraying). Higher, because an office
 *   behind one NAT address shares it.
 * - `perAccount`: one account from any address (guessing spread over many addresses). Softer, and
 *   it does not apply to an address the account signed in from before (`knownForMs`), so an
 *   attacker elsewhere cannot shut the real user out of their usual place.
 * Every lock runs out by itself after `lockMs`; an admin can lift an account's locks sooner.
 */
export type SignInThrottlePolicy = {
  windowMs: number;
  lockMs: number;
  perPair: number;
  perAddress: number;
  perAccount: number;
  knownForMs: number;
};

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottlePolicy = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  perPair: 10,
  perAddress: 100,
  perAccount: 50,
  knownForMs: 90 * 24 * 3_600_000,
};

export type SignInThrottleDeps = {
  store: Pick<Store, 'signInThrottle' | 'users' | 'audit'>;
  clock: Clock;
  logger?: Pick<Logger, 'warn'>;
  policy?: SignInThrottlePolicy;
};

export type SignInGate = { locked: false } | { locked: true; retryAfterSeconds: number };

export type SignInThrottle = {
  /** Whether this e-mail may try a password from this address now. Asked before the password is checked. */
  check(email: string, address: string): Promise<SignInGate>;
  /** Counts a failed sign-in; locks (and records the lock in the audit log) when a limit is reached. */
  recordFailure(email: string, address: string): Promise<void>;
  /** A successful sign-in: this pair's failures are forgotten and the address becomes known for the account. */
  recordSuccess(email: string, address: string): Promise<void>;
  /** Removes counters that ran out and known addresses long unused. */
  purge(): Promise<number>;
};

const keysOf = (email: string, address: string) => ({
  pair: { key: `pair:${email}|${address}`, scope: 'pair' as const, email, address },
  account: { key: `account:${email}`, scope: 'account' as const, email, address: null },
  address: { key: `address:${address}`, scope: 'address' as const, email: null, address },
  known: { key: `known:${email}|${address}`, scope: 'known' as const, email, address },
});

const SCOPE_WORDS: Record<Exclude<SignInThrottleScope, 'known'>, string> = {
  pair: 'this account from this address',
  account: 'this account from any address',
  address: 'any account from this address',
};

/** What the audit log and the users page say about a lock. */
export const describeLock = (lock: Pick<SignInThrottleRecord, 'scope' | 'address'>): string =>
  lock.scope === 'account' ? 'from any address it has not signed in from before' : `from ${lock.address ?? 'an unknown address'}`;

export function createSignInThrottle(deps: SignInThrottleDeps): SignInThrottle {
  const policy = deps.policy ?? DEFAULT_SIGN_IN_THROTTLE;
  const limits = { pair: policy.perPair, account: policy.perAccount, address: policy.perAddress };
  const normal = (email: string) => email.trim().toLowerCase();

  async function auditLock(entry: ReturnType<typeof keysOf>['pair' | 'account' | 'address'], until: string, now: string) {
    // An address lock, or a lock on an e-mail that is no toolbox user, names no account: the
    // e-mail field may hold anything a visitor typed, and the audit log is not the place for it.
    const user = entry.email ? await deps.store.users.findByEmail(entry.email) : undefined;
    deps.logger?.warn({ event: 'sign-in-locked', scope: entry.scope, address: entry.address, until }, 'sign-in locked');
    await deps.store.audit.append(
      {
        actorUserId: null,
        actorEmail: 'sign-in throttle',
        action: 'sign-in.lock',
        target: user ? `user:${user.email}` : `address:${entry.address ?? 'unknown'}`,
        before: null,
        after: {
          limit: `${limits[entry.scope]} failed sign-ins in ${policy.windowMs / 60_000} minutes, ${SCOPE_WORDS[entry.scope]}`,
          ...(entry.address ? { address: entry.address } : {}),
          ...(entry.email && !user ? { account: 'not a toolbox user' } : {}),
          lockedUntil: until,
        },
        requestId: null,
      },
      now,
    );
  }

  return {
    async check(rawEmail, address) {
      const email = normal(rawEmail);
      const keys = keysOf(email, address);
      const now = deps.clock.now();
      const rows = await deps.store.signInThrottle.get([keys.pair.key, keys.account.key, keys.address.key, keys.known.key]);
      const byKey = new Map(rows.map((row) => [row.key, row]));
      const known = byKey.get(keys.known.key);
      const isKnown = known !== undefined && now - Date.parse(known.updatedAt) < policy.knownForMs;
      let until = 0;
      for (const entry of [keys.pair, keys.address, ...(isKnown ? [] : [keys.account])]) {
        const lockedUntil = byKey.get(entry.key)?.lockedUntil;
        if (lockedUntil) until = Math.max(until, Date.parse(lockedUntil));
      }
      return until > now ? { locked: true, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) } : { locked: false };
    },

    async recordFailure(rawEmail, address) {
      const email = normal(rawEmail);
      const keys = keysOf(email, address);
      const now = deps.clock.now();
      const nowIso = new Date(now).toISOString();
      const windowStart = new Date(now - policy.windowMs).toISOString();
      for (const entry of [keys.pair, keys.account, keys.address]) {
        const failures = await deps.store.signInThrottle.countFailure(entry, nowIso, windowStart);
        if (failures < limits[entry.scope]) continue;
        const until = new Date(now + policy.lockMs).toISOString();
        await deps.store.signInThrottle.lock(entry.key, until, nowIso);
        // Recorded once per window: two instances counting the 10th and 11th failure at once
        // both lock, only the one at the limit writes the audit entry.
        if (failures === limits[entry.scope]) await auditLock(entry, until, nowIso);
      }
    },

    async recordSuccess(rawEmail, address) {
      const email = normal(rawEmail);
      const keys = keysOf(email, address);
      const nowIso = new Date(deps.clock.now()).toISOString();
      await deps.store.signInThrottle.delete([keys.pair.key]);
      await deps.store.signInThrottle.touch(keys.known, nowIso);
    },

    async purge() {
      const now = deps.clock.now();
      return deps.store.signInThrottle.purge({
        now: new Date(now).toISOString(),
        countersBefore: new Date(now - policy.windowMs).toISOString(),
        knownBefore: new Date(now - policy.knownForMs).toISOString(),
      });
    },
  };
}
