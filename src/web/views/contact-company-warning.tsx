import type { PsaCompany, PsaContact } from '../../connectors/psa/types.js';

/**
 * The screen pop names a company and a contact separately; a contact filed under another company
 * in the PSA usually means the wrong customer (a shared phone number, a contact who moved). The
 * form still works, but the technician is told before changing anything in this company's tenant.
 */
export function ContactCompanyWarning({ contact, company, psaLabel }: { contact: PsaContact; company: PsaCompany; psaLabel?: string }) {
  if (!contact.companyId || contact.companyId === company.id) return null;
  const other = contact.companyName ?? `company ${contact.companyId}`;
  // "ConnectWise PSA (Manage)" reads better without its parenthesis in a sentence.
  const psa = psaLabel ? psaLabel.replace(/\s*\(.*\)$/, '') : 'the PSA';
  return (
    <p class="warning contact-company-warning" role="status">
      This contact belongs to {other} in {psa}, not {company.name}: check you are helping the right customer.
    </p>
  );
}
