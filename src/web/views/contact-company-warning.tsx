import type { PsaCompany, PsaContact, PsaWords } from '../../connectors/psa/types.js';

/**
 * The screen pop names a company and a contact separately; a contact filed under another company
 * in the PSA usually means the wrong customer (a shared phone number, a contact who moved). The
 * form still works, but the technician is told before changing anything in this company's tenant.
 */
export function ContactCompanyWarning({ contact, company, words }: { contact: PsaContact; company: PsaCompany; words: PsaWords }) {
  if (!contact.companyId || contact.companyId === company.id) return null;
  const other = contact.companyName ?? `${words.company.one} ${contact.companyId}`;
  return (
    <p class="warning contact-company-warning" role="status">
      This {words.contact.one} belongs to {other} in {words.name}, not {company.name}: check you are helping the right customer.
    </p>
  );
}
