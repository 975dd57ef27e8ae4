import type { PsaCompany, PsaCompanyEmailDomains } from '../types.js';
import type { HaloPsaClient } from './halopsa-client.js';
import { haloClientSchema, haloUserSchema, mainEmail, mapCompany } from './halopsa-map.js';

/**
 * The company-mapping reads: every active client, and the e-mail domains of each client's users.
 * Halo lists have no "client id in (…)" filter (reference §6), so a few clients are read one by
 * one with `client_id=`, and many by reading every active user once: with 100 rows a page that
 * costs (users / 100) requests instead of one list per client, which matters under a request
 * budget of a few hundred per minutes.
 */
export const PER_CLIENT_LIMIT = 3;

const isHaloId = (id: string) => /^[1-9][0-9]{0,9}$/.test(id) && Number(id) <= 2 ** 31 - 1;

export async function listHaloCompanies(client: HaloPsaClient, options: { signal?: AbortSignal } = {}): Promise<PsaCompany[]> {
  const request = { method: 'GET' as const, path: '/Client', operation: 'GET /api/Client', action: 'list clients', signal: options.signal };
  // Halo leaves inactive clients out unless asked (includeinactive); checked again below.
  const rows = await client.requestAllPages(request, 'clients');
  const companies: PsaCompany[] = [];
  for (const row of rows) {
    const company = client.parse(haloClientSchema, row, request);
    if (company.inactive === true) continue;
    companies.push(mapCompany(company));
  }
  return companies;
}

function domainOf(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return undefined;
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
}

export async function listHaloContactEmailDomains(
  client: HaloPsaClient,
  companyIds: string[],
  options: { signal?: AbortSignal } = {},
): Promise<Record<string, PsaCompanyEmailDomains>> {
  // A Map, not an object: an id is caller input and must not reach Object.prototype.
  const result = new Map<string, PsaCompanyEmailDomains>();
  for (const id of companyIds) result.set(id, { contactsWithEmail: 0, domains: {} });
  // Only Halo ids can be Halo clients; anything else simply has no users.
  const wanted = [...new Set(companyIds)].filter(isHaloId);
  if (wanted.length === 0) return Object.fromEntries(result);
  const request = {
    method: 'GET' as const,
    path: '/Users',
    operation: 'GET /api/Users',
    action: 'list the users of the clients',
    signal: options.signal,
  };
  const rows: unknown[] = [];
  if (wanted.length <= PER_CLIENT_LIMIT) {
    for (const id of wanted) rows.push(...(await client.requestAllPages({ ...request, query: { client_id: id } }, 'users')));
  } else {
    rows.push(...(await client.requestAllPages(request, 'users')));
  }
  for (const row of rows) {
    const user = client.parse(haloUserSchema, row, request);
    // Inactive users are people who left: their old addresses should not steer a suggestion.
    if (user.inactive === true) continue;
    const entry = typeof user.client_id === 'number' ? result.get(String(user.client_id)) : undefined;
    const email = mainEmail(user);
    const domain = email === undefined ? undefined : domainOf(email);
    if (!entry || domain === undefined) continue;
    entry.contactsWithEmail++;
    entry.domains[domain] = (Object.hasOwn(entry.domains, domain) ? (entry.domains[domain] ?? 0) : 0) + 1;
  }
  return Object.fromEntries(result);
}
