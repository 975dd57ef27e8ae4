import { ownEntry } from '../../lib/own-entry.js';
import type { PsaConnectorRegistry, PsaWords } from './types.js';

/** What pages say of a PSA this toolbox has no connector for (a record of a removed one). */
const UNKNOWN_PSA_WORDS: PsaWords = {
  name: 'the PSA',
  ticket: { one: 'ticket', many: 'tickets' },
  company: { one: 'company', many: 'companies' },
  contact: { one: 'contact', many: 'contacts' },
  member: { one: 'member', many: 'members' },
};

/**
 * The words of the PSA of this kind (a launch's, an execution's, the one in force), or neutral
 * ones when the kind is unknown: a page never falls back to one PSA's vocabulary for another.
 */
export function psaWordsOf(registry: PsaConnectorRegistry, kind: string | null | undefined): PsaWords {
  const connector = kind ? ownEntry(registry, kind) : undefined;
  return connector ? connector.words : { ...UNKNOWN_PSA_WORDS, name: kind ? `the PSA "${kind}"` : UNKNOWN_PSA_WORDS.name };
}
