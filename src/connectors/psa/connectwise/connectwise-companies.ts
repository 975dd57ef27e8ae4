import { z } from 'zod';
import { createContactEmailDomainTally } from '../contact-email-domains.js';
import type { PsaCompany, PsaCompanyEmailDomains } from '../types.js';
import type { ConnectWiseClient } from './connectwise-client.js';
import { cwCompanySchema, mapCompany } from './connectwise-map.js';

/**
 * The company-mapping reads: every active company, and the e-mail domains of each company's
 * contacts. Both are list calls at the largest page size (1000, reference §7) followed through
 * the `Link` header, so a tenant with thousands of companies costs a few requests, not hundreds.
 */

const PAGE_SIZE = 1000;

/**
 * The longest `conditions` value sent for one batch of company ids. Encoded, `in (…)` lists grow
 * by a third (commas become %2C); this keeps the whole URL well under the ~2,000 characters the
 * guide advises (reference §6).
 */
const MAX_CONDITION_CHARS = 1200;

const companyRowSchema = cwCompanySchema.extend({
  status: z.looseObject({ name: z.string().nullish() }).nullish(),
  deletedFlag: z.boolean().nullish(),
});

const contactRowSchema = z.looseObject({
  id: z.number().int(),
  company: z.looseObject({ id: z.number().int() }).nullish(),
  communicationItems: z
    .array(z.looseObject({ value: z.string().nullish(), defaultFlag: z.boolean().nullish(), communicationType: z.string().nullish() }))
    .nullish(),
});

/**
 * Company status names are the tenant's own ("Active", "Inactive", "Not-Approved", …) and the
 * reference on a company carries no inactive flag, so only the stock name is recognised here;
 * deleted companies are already left out by the condition.
 */
const isInactiveStatus = (name: string | null | undefined) => (name ?? '').trim().toLowerCase() === 'inactive';

export async function listConnectWiseCompanies(client: ConnectWiseClient, options: { signal?: AbortSignal } = {}): Promise<PsaCompany[]> {
  const request = {
    method: 'GET' as const,
    path: '/company/companies',
    operation: 'GET /company/companies',
    action: 'list companies',
    signal: options.signal,
  };
  const rows = await client.requestAllPages({
    ...request,
    query: {
      conditions: 'deletedFlag=false',
      fields: 'id,identifier,name,status/name,deletedFlag',
      // A stable order, so a company cannot move between pages while they are read.
      orderBy: 'id asc',
      pageSize: PAGE_SIZE,
    },
  });
  const companies: PsaCompany[] = [];
  for (const row of rows) {
    const company = client.parse(companyRowSchema, row, request);
    if (company.deletedFlag === true || isInactiveStatus(company.status?.name)) continue;
    companies.push(mapCompany(company));
  }
  return companies;
}

/** Splits ids into `company/id in (…)` lists that each stay under MAX_CONDITION_CHARS. */
function batches(ids: string[]): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    if (current.length > 0 && length + id.length + 1 > MAX_CONDITION_CHARS) {
      result.push(current);
      current = [];
      length = 0;
    }
    current.push(id);
    length += id.length + 1;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** The contact's main address, chosen as the connector's getContact chooses it (reference §3.1). */
function mainEmail(items: z.infer<typeof contactRowSchema>['communicationItems']): string | undefined {
  const emails = (items ?? []).filter((item) => item.communicationType === 'Email' && (item.value ?? '').trim() !== '');
  return (emails.find((item) => item.defaultFlag) ?? emails[0])?.value?.trim();
}

export async function listConnectWiseContactEmailDomains(
  client: ConnectWiseClient,
  companyIds: string[],
  options: { signal?: AbortSignal } = {},
): Promise<Record<string, PsaCompanyEmailDomains>> {
  const tally = createContactEmailDomainTally(companyIds);
  // Only ConnectWise ids (positive whole numbers) can go into the condition; anything else cannot
  // be a ConnectWise company and simply has no contacts.
  const wanted = [...new Set(companyIds)].filter((id) => /^[1-9][0-9]{0,9}$/.test(id));
  const request = {
    method: 'GET' as const,
    path: '/company/contacts',
    operation: 'GET /company/contacts',
    action: 'list the contacts of the companies',
    signal: options.signal,
  };
  for (const batch of batches(wanted)) {
    const rows = await client.requestAllPages({
      ...request,
      query: {
        // Inactive contacts are people who left: their old addresses should not steer a suggestion.
        conditions: `company/id in (${batch.join(',')}) and inactiveFlag=false`,
        fields: 'id,company/id,communicationItems',
        orderBy: 'id asc',
        pageSize: PAGE_SIZE,
      },
    });
    for (const row of rows) {
      const contact = client.parse(contactRowSchema, row, request);
      tally.count(contact.company ? String(contact.company.id) : undefined, mainEmail(contact.communicationItems));
    }
  }
  return tally.result();
}
