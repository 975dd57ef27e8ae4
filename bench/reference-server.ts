import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { type ReferencePsaSettings, startReferencePsaReader } from './reference-psa-readers.js';

export type { ReferencePsaSettings } from './reference-psa-readers.js';

/** A directory of the demo configuration: the tenant the reference looks the contact's user up in. */
export type ReferenceDirectorySettings = {
  id: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authorityHost: string;
  graphUrl: string;
  psaCompanyIds: (string | number)[];
};

export type ReferenceServerOptions = {
  psa: ReferencePsaSettings;
  directories: ReferenceDirectorySettings[];
  /** The sandbox certificate to trust, besides Node's roots (the toolbox trusts the same). */
  caPem: string;
  /** Connections per upstream origin; the toolbox's createHttpFetch uses 32. */
  connections?: number;
};

export type ReferenceServer = { url: string; close(): Promise<void> };

const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];
const USER_SELECT = 'id,displayName,userPrincipalName,mail,givenName,surname,jobTitle,accountEnabled,onPremisesSyncEnabled';

type GraphUser = { id: string; displayName?: string | null; userPrincipalName?: string | null; mail?: string | null };

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] as string);
const odataString = (value: string) => `'${value.replaceAll("'", "''")}'`;
const isId = (value: string | null): value is string => value !== null && /^[1-9][0-9]{0,9}$/.test(value);

/**
 * The bare node:http reference for `npm run bench:screenpop`: the least code that does the same
 * upstream work as a screen pop followed by the launch page, so the toolbox's overhead can be read
 * as a ratio. On `GET /pop?ticket_id&company_id&contact_id` it
 *
 * 1. reads the ticket, company and contact from the PSA in parallel, with the connector's URLs and
 *    headers, and within the vendor's rules (bench/reference-psa-readers.ts: ConnectWise, Autotask
 *    with at most 3 calls at once per endpoint, HaloPSA); what the connector caches (codebase,
 *    zone and picklists, token) is looked up once at start;
 * 2. finds the contact's Microsoft 365 user with the connector's e-mail query (mail, UPN,
 *    proxyAddresses, otherMails; `$select`, `$top=50`, `$count=true`, `ConsistencyLevel: eventual`)
 *    on the tenant mapped to the company, with a bearer token fetched once per tenant at start;
 * 3. renders an HTML template string with the values, escaped, including the `user_id` field.
 *
 * It does NOT: sign anyone in or look up a session, write or read a database (no launch row, no
 * claim, no saved context), redirect (one HTTP request instead of two), validate upstream JSON
 * with zod, retry, apply timeouts, log, follow Graph paging links, set security headers or render
 * the full page layout. Those are the toolbox's overhead that the ratio shows. One difference is
 * not overhead but a fix the toolbox lacks: the upstream TLS trust is built once (see the Agent).
 */
export async function startReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer> {
  // The same trust as the toolbox's createHttpFetch (Node's roots, the system bundle, the sandbox
  // certificate), but parsed once into a SecureContext: passing `ca` instead makes Node parse the
  // ~280 certificates again for every new TLS connection (about 50 ms of CPU each on the bench machine).
  const bundle = SYSTEM_CA_BUNDLES.find((path) => existsSync(path));
  const ca = [...rootCertificates, ...(bundle ? [readFileSync(bundle, 'utf8')] : []), options.caPem];
  const agent = new Agent({
    connect: { secureContext: createSecureContext({ ca }) },
    connections: options.connections ?? 32,
    keepAliveTimeout: 30_000,
  });
  const get = async <T>(url: string, headers: Record<string, string>): Promise<T> => {
    const response = await undiciFetch(url, { headers, dispatcher: agent });
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  };

  const psaReader = await startReferencePsaReader(options.psa, {
    get,
    async postForm<T>(url: string, form: URLSearchParams): Promise<T> {
      const response = await undiciFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        dispatcher: agent,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 200)}`);
      return JSON.parse(text) as T;
    },
  });

  // One app-only token per tenant, fetched now: the toolbox caches its tokens for about an hour too.
  const tenants = new Map<string, { graphBase: string; token: string }>();
  for (const directory of options.directories) {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: directory.clientId,
      client_secret: directory.clientSecret,
      scope: `${new URL(directory.graphUrl).origin}/.default`,
    });
    const response = await undiciFetch(`${directory.authorityHost}/${directory.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      dispatcher: agent,
    });
    const json = (await response.json()) as { access_token?: string };
    if (!response.ok || !json.access_token) throw new Error(`token request for tenant ${directory.tenantId} answered ${response.status}`);
    const tenant = { graphBase: `${directory.graphUrl}/v1.0`, token: json.access_token };
    for (const companyId of directory.psaCompanyIds) tenants.set(String(companyId), tenant);
  }

  async function pop(query: URLSearchParams): Promise<{ status: number; html: string }> {
    const ticketId = query.get('ticket_id');
    const companyId = query.get('company_id');
    const contactId = query.get('contact_id');
    if (!isId(companyId) || !isId(contactId) || (ticketId !== null && !isId(ticketId))) {
      return { status: 400, html: '<!doctype html><title>Bad screen pop</title><p>company_id and contact_id must be ids.</p>' };
    }
    const { ticket, company, contact } = await psaReader({ ticketId, companyId, contactId });
    const email = contact.email;
    const tenant = tenants.get(companyId);
    let users: GraphUser[] = [];
    if (tenant && email) {
      const v = odataString(email);
      const filter = `mail eq ${v} or userPrincipalName eq ${v} or proxyAddresses/any(p:p eq ${odataString(`smtp:${email}`)}) or otherMails/any(o:o eq ${v})`;
      const url = `${tenant.graphBase}/users?$filter=${encodeURIComponent(filter)}&$select=${USER_SELECT}&$top=50&$count=true`;
      const page = await get<{ value?: GraphUser[] }>(url, {
        authorization: `Bearer ${tenant.token}`,
        accept: 'application/json',
        ConsistencyLevel: 'eventual',
      });
      users = page.value ?? [];
    }
    const user = users.length === 1 ? users[0] : undefined;
    const contactName = contact.name;
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reset password · ${escapeHtml(company.name)}</title></head>
<body><main>
<h1>Reset password</h1>
<dl>
<dt>Ticket</dt><dd>${ticket ? `${escapeHtml(ticket.label)} ${escapeHtml(ticket.summary)} (${escapeHtml(ticket.queue)}, ${escapeHtml(ticket.status)})` : 'none'}</dd>
<dt>Company</dt><dd>${escapeHtml(company.name)} (${escapeHtml(company.identifier)})</dd>
<dt>Contact</dt><dd>${escapeHtml(contactName)} &lt;${escapeHtml(email)}&gt;</dd>
</dl>
${
  user
    ? `<form method="post" action="/pop">
<p>${escapeHtml(user.displayName)} (${escapeHtml(user.userPrincipalName)})</p>
<input type="hidden" name="user_id" value="${escapeHtml(user.id)}">
<label for="password">New password</label><input id="password" name="password" type="password">
<button type="submit">Reset password</button>
</form>`
    : `<p>${users.length} matching users.</p>`
}
</main></body></html>`;
    return { status: 200, html };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://reference');
    let result: { status: number; html: string };
    if (request.method !== 'GET' || url.pathname !== '/pop') {
      result = { status: 404, html: '<!doctype html><title>Not found</title>' };
    } else {
      try {
        result = await pop(url.searchParams);
      } catch (error) {
        result = { status: 502, html: `<!doctype html><title>Upstream failed</title><p>${escapeHtml((error as Error).message)}</p>` };
      }
    }
    response.writeHead(result.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(result.html);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await agent.close();
    },
  };
}
