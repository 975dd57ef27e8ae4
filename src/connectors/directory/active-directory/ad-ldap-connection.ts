import type { LookupFunction } from 'node:net';
import { Client } from 'ldapts';
import type { Logger } from '../../../lib/logger.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { AD_ERROR_CODES, translateLdapError } from './ad-errors.js';

export type AdConnectionSettings = {
  /** `ldaps://dc1.contoso.example:636`: the DC's DNS name, which its certificate names. */
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
 * technician's words (ad-errors.ts). A plain ldap:// URL is refused before connecting: AD only
 * takes a password over an encrypted connection, and the service account's own password would
 * otherwise cross the network in clear.
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

  async run<T>(operation: string, work: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.#open();
    try {
      return await work(client);
    } catch (error) {
      // A dropped connection is reopened by the next operation; an LDAP answer keeps it.
      if (!(error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'number')) this.#reset();
      throw translateLdapError(error, { name: operation, host: this.host });
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
    if (this.#bound) return this.#bound;
    const bound = (async () => {
      const url = new URL(this.settings.url);
      if (url.protocol !== 'ldaps:') {
        throw new ToolboxError({
          code: AD_ERROR_CODES.encryptionRequired,
          message: `The directory’s URL must start with ldaps:// (port 636): Active Directory only takes a password over an encrypted connection.`,
          httpStatus: 422,
        });
      }
      const client = new Client({
        url: this.settings.url,
        timeout: this.settings.timeoutMs,
        connectTimeout: this.settings.timeoutMs,
        autoRebind: true,
        tlsOptions: {
          ...(this.settings.caCertificate ? { ca: [this.settings.caCertificate] } : {}),
          servername: url.hostname,
          ...(this.deps.lookup ? { lookup: this.deps.lookup } : {}),
          minVersion: 'TLSv1.2',
        },
      });
      try {
        await client.bind(this.settings.username, this.settings.password);
      } catch (error) {
        await client.unbind().catch(() => undefined);
        throw translateLdapError(error, { name: 'bind', host: this.host, isServiceBind: true });
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
