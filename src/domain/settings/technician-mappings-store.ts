import { z } from 'zod';
import type { Store } from '../../store/types.js';
import { SETTINGS_KEYS, technicianMappingsDocumentSchema } from './settings-documents.js';

/**
 * The technician-mappings document as this area writes it: the shared shape plus the users an
 * admin deliberately left unmapped ("clear"), so automatic matching does not map them again.
 * Live settings read the same document with the shared schema, which ignores the extra list.
 */
export const storedTechnicianMappingsSchema = technicianMappingsDocumentSchema.extend({
  clearedByAdmin: z.array(z.string()).default([]),
});
export type StoredTechnicianMappings = z.infer<typeof storedTechnicianMappingsSchema>;

/** The document as stored, with its revision (null while none was written). */
export async function readTechnicianMappings(
  store: Pick<Store, 'settings'>,
): Promise<{ doc: StoredTechnicianMappings; revision: string | null }> {
  const entry = await store.settings.get(SETTINGS_KEYS.technicianMappings);
  if (!entry) return { doc: { mappings: {}, clearedByAdmin: [] }, revision: null };
  const parsed = storedTechnicianMappingsSchema.safeParse(entry.value);
  // An unreadable document is replaced on the next save rather than blocking every change.
  return { doc: parsed.success ? parsed.data : { mappings: {}, clearedByAdmin: [] }, revision: entry.revision };
}

/** What the audit log shows of the mappings: who is mapped to which member, and how. */
export const mappingsAuditView = (doc: StoredTechnicianMappings) => ({
  mappings: Object.fromEntries(
    Object.entries(doc.mappings).map(([userId, mapping]) => [userId, `${mapping.identifier} (${mapping.source})`]),
  ),
  clearedByAdmin: doc.clearedByAdmin,
});
