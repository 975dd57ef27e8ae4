import { createContactEmailDomainTally } from '../contact-email-domains.js';
import type { PsaCompany, PsaCompanyEmailDomains } from '../types.js';
import type { AutotaskClient } from './autotask-client.js';
import { atCompanySchema, atContactSchema, contactIsActive, mainEmail, mapCompany } from './autotask-map.js';

/**
 * The company-mapping reads: every active company, and the e-mail domains of each company's
 * contacts. Both are queries of 500 rows a page (the most Autotask gives, reference §7) with only
 * the fields needed, so a database with thousands of companies costs a few requests of its hourly
 * 10,000, not hundreds.
 */

/**
 * Company ids per `in` filter. The documented limit is 500 OR conditions per query (SOAP; for REST
 * unverified, reference §6): 200 stays well clear of it and keeps the request body small.
 */
const IDS_PER_QUERY = 200;

export async function listAutotaskCompanies(client: AutotaskClient, options: { signal?: AbortSignal } = {}): Promise<PsaCompany[]> {
  const request = { operation: 'POST /Companies/query', action: 'list companies', signal: options.signal };
  const rows = await client.queryAll(
    'Companies',
    {
      // A boolean on Companies (reference §3.1, §6).
      filter: [{ op: 'eq', field: 'isActive', value: true }],
      IncludeFields: ['id', 'companyName', 'companyNumber', 'isActive'],
    },
    request,
  );
  const companies: PsaCompany[] = [];
  for (const row of rows) {
    const company = client.parse(atCompanySchema, row, request);
    if (company.isActive === false) continue;
    companies.push(mapCompany(company));
  }
  return companies;
}

export async function listAutotaskContactEmailDomains(
  client: AutotaskClient,
  companyIds: string[],
  options: { signal?: AbortSignal } = {},
): Promise<Record<string, PsaCompanyEmailDomains>> {
  const tally = createContactEmailDomainTally(companyIds);
  // Only Autotask ids (positive whole numbers) can go into the filter; anything else cannot be an
  // Autotask company and simply has no contacts.
  const wanted = [...new Set(companyIds)].filter((id) => /^[1-9][0-9]{0,14}$/.test(id)).map(Number);
  const request = { operation: 'POST /Contacts/query', action: 'list the contacts of the companies', signal: options.signal };
  for (let start = 0; start < wanted.length; start += IDS_PER_QUERY) {
    const batch = wanted.slice(start, start + IDS_PER_QUERY);
    const rows = await client.queryAll(
      'Contacts',
      {
        filter: [
          { op: 'in', field: 'companyID', value: batch },
          // Inactive contacts are people who left: their old addresses should not steer a
          // suggestion. An integer on Contacts (reference §3.1).
          { op: 'eq', field: 'isActive', value: 1 },
        ],
        IncludeFields: ['id', 'companyID', 'emailAddress', 'emailAddress2', 'emailAddress3', 'isActive'],
      },
      request,
    );
    for (const row of rows) {
      const contact = client.parse(atContactSchema, row, request);
      if (!contactIsActive(contact.isActive)) continue;
      tally.count(contact.companyID == null ? undefined : String(contact.companyID), mainEmail(contact));
    }
  }
  return tally.result();
}
