import { connect, type LookupFunction } from 'node:net';
import tls from 'node:tls';
import { Client } from 'ldapts';
import type { Logger } from '../../../lib/logger.js';
import { translateLdapError } from './ad-errors.js';

export type AdConnectionSettings = {
  /** `ldaps://dc1.contoso.example:636` (or ldap://…:389, always with StartTLS): the DC's DNS name, which its certificate names. */
  url: string;
  /** The service account: a DN or `user@domain`. */
  username: string;
  password: string;
  /** PEM of the domain's CA, when the DC's certificate is not signed by a CA Node already trusts. */
  caCertificate?: string;
  timeoutMs: number;
};

export type AdConnectionDeps = {
  logger: Logger;
  /** Name resolution for the DC's host (tests point `dc1.test.lan` at 127.0.0.1); the system's by default. */
  lookup?: LookupFunction;
};

/**
 * One bound LDAPS connection to a domain controller, opened on first use and reopened (and bound
 * again) after the DC closes it. Every operation's failure comes out as a ToolboxError in a
 * technician's words (ad-errors.ts). An ldap:// URL is always upgraded with StartTLS before the
 * bind; ldaps:// is TLS from the start.
 */
export class AdLdapConnection {
  readonly host: string;
  #client: Client | undefined;
  #bound: Promise<Client> | undefined;

  constructor(
    private readonly settings: AdConnectionSettings,
    private readonly deps: AdConnectionDeps,
  ) {
    this.host = new URL(settings.url).hostname;
  }

  /**
   * Runs one operation; logged at debug with its name, host and time (never a DN's values or a
   * password: the operation names are fixed texts), and AD's code when it fails.
   */
  async run<T>(operation: string, work: (client: Client) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work(await this.#open());
      this.deps.logger.debug(
        { connector: 'active-directory', host: this.host, operation, durationMs: Math.round(performance.now() - started) },
        'ldap call',
      );
      return result;
    } catch (error) {
      // A dropped connection is reopened by the next operation; an LDAP answer keeps it.
      if (!(error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'number')) this.#reset();
      const translated = translateLdapError(error, { name: operation, host: this.host });
      this.deps.logger.debug(
        {
          connector: 'active-directory',
          host: this.host,
          operation,
          code: translated.upstream?.code,
          durationMs: Math.round(performance.now() - started),
        },
        'ldap call failed',
      );
      throw translated;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#reset();
    if (client?.isConnected) await client.unbind().catch(() => undefined);
  }

  #reset() {
    this.#client = undefined;
    this.#bound = undefined;
  }

  #open(): Promise<Client> {
    // ldapts reconnects a dropped connection by itself, but a StartTLS one would come back in
    // clear and unbound: a dropped connection is opened again from the start instead.
    if (this.#client && !this.#client.isConnected) this.#reset();
    if (this.#bound) return this.#bound;
    const bound = (async () => {
      const url = new URL(this.settings.url);
      const tlsOptions = {
        ...(this.settings.caCertificate ? { ca: [this.settings.caCertificate] } : {}),
        servername: url.hostname,
        ...(this.deps.lookup ? { lookup: this.deps.lookup } : {}),
        minVersion: 'TLSv1.2' as const,
      };
      // The sockets are unref'd: an idle connection to a customer's DC must not keep the process
      // (a test, a CLI command) alive; a server is kept alive by its HTTP listener anyway.
      const secure = ((...args: Parameters<typeof tls.connect>) => tls.connect(...args).unref()) as typeof tls.connect;
      const plain = ((port: number, host: string) =>
        connect({ port, host, ...(this.deps.lookup ? { lookup: this.deps.lookup } : {}) }).unref()) as typeof connect;
      const client = new Client({
        url: this.settings.url,
        timeout: this.settings.timeoutMs,
        connectTimeout: this.settings.timeoutMs,
        // Only for LDAPS: a StartTLS session is never rebound in clear (see above).
        autoRebind: url.protocol === 'ldaps:',
        ...(url.protocol === 'ldaps:' ? { tlsOptions } : {}),
        createSecureConnection: secure,
        createConnection: plain,
      });
      try {
        // ldap:// is only ever used with StartTLS: AD takes a password only over an encrypted
        // connection, and the service account's own would otherwise cross the network in clear.
        if (url.protocol === 'ldap:') await client.startTLS(tlsOptions);
        await client.bind(this.settings.username, this.settings.password);
      } catch (error) {
        await client.unbind().catch(() => undefined);
        throw translateLdapError(error, {
          name: url.protocol === 'ldap:' ? 'StartTLS and bind' : 'bind',
          host: this.host,
          isServiceBind: true,
        });
      }
      this.#client = client;
      return client;
    })();
    this.#bound = bound;
    bound.catch(() => {
      if (this.#bound === bound) this.#reset();
    });
    return bound;
  }
}
