import type { PsaScreenPopVariables } from '../connectors/psa/types.js';

/**
 * The URL template an admin pastes into 1Stream for one form. The values are the PSA's own 1Stream
 * variables (the connector's `screenPop`), which 1Stream replaces with the call's ids.
 */
export function screenPopTemplate(publicUrl: string, formName: string, variables: PsaScreenPopVariables): string {
  return `${publicUrl}/hooks/screenpop?ticket_id=${variables.ticket}&company_id=${variables.company}&contact_id=${variables.contact}&form_name=${formName}`;
}
