import { createContactEmailDomainTally } from '../contact-email-domains.js';
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

export async function listHaloContactEmailDomains(
  client: HaloPsaClient,
  companyIds: string[],
  options: { signal?: AbortSignal } = {},
): Promise<Record<string, PsaCompanyEmailDomains>> {
  const tally = createContactEmailDomainTally(companyIds);
  // Only Halo ids can be Halo clients; anything else simply has no users.
  const wanted = [...new Set(companyIds)].filter(isHaloId);
  if (wanted.length === 0) return tally.result();
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
    tally.count(typeof user.client_id === 'number' ? String(user.client_id) : undefined, mainEmail(user));
  }
  return tally.result();
}
