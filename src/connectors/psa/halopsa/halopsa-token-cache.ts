import type { Clock } from '../../../lib/clock.js';

export type HaloToken = { accessToken: string; expiresInSeconds: number };

/** A token is renewed this long before Halo says it expires, so no call goes out with a dying one. */
export const TOKEN_RENEW_MARGIN_MS = 60_000;

/**
 * The bearer token of the client-credentials grant, kept until shortly before it expires
 * (reference §2: "refresh before expiry; client credentials need no refresh token: request a new
 * token"). Concurrent callers share one token request; a failed request is forgotten so the next
 * call tries again. The request takes no caller signal: it is shared, so one caller giving up
 * must not fail the others (it is bounded by the connector's timeout).
 */
export class HaloTokenCache {
  readonly #fetchToken: () => Promise<HaloToken>;
  readonly #clock: Clock;
  #current: { value: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(fetchToken: () => Promise<HaloToken>, clock: Clock) {
    this.#fetchToken = fetchToken;
    this.#clock = clock;
  }

  get(): Promise<string> {
    const current = this.#current;
    if (current && this.#clock.now() < current.renewAt) return Promise.resolve(current.value);
    if (!this.#pending) {
      const requestedAt = this.#clock.now();
      this.#pending = this.#fetchToken().then(
        (token) => {
          const lifetimeMs = token.expiresInSeconds * 1000;
          // A short-lived token is renewed at half its life rather than never being reused.
          const margin = Math.min(TOKEN_RENEW_MARGIN_MS, lifetimeMs / 2);
          this.#current = { value: token.accessToken, renewAt: requestedAt + lifetimeMs - margin };
          this.#pending = undefined;
          return token.accessToken;
        },
        (error: unknown) => {
          this.#pending = undefined;
          throw error;
        },
      );
    }
    return this.#pending;
  }

  /**
   * Requests a new token now, whatever is cached, and keeps it (the systems check tests the client
   * id and secret this way without asking for a second token for its next calls). A request
   * already under way is shared: it is as new.
   */
  renew(): Promise<string> {
    this.#current = undefined;
    return this.get();
  }

  /**
   * Forgets `value` after Halo refused it (401): the next `get` requests a new token. A newer
   * token, fetched meanwhile by another caller, is kept.
   */
  invalidate(value: string): void {
    if (this.#current?.value === value) this.#current = undefined;
  }
}
