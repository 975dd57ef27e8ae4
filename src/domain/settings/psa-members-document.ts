import { z } from 'zod';
import type { Store } from '../../store/types.js';

/**
 * The PSA members the last systems check pulled, and that check's lines. The technician mapping
 * offers these members; the check page shows the last run. Kept as a settings document (not a
 * table) so it is written, audited and shared between instances like every other console setting.
 */
export const PSA_MEMBERS_KEY = 'psa-members';

const storedMemberSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  name: z.string(),
  email: z.string().optional(),
  inactive: z.boolean(),
});

const checkLineSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  outcome: z.enum(['not-run', 'unverified', 'warning']).optional(),
  message: z.string(),
  hint: z.string().optional(),
  upstreamCode: z.string().optional(),
});

export const psaMembersDocumentSchema = z.object({
  /** The PSA the members belong to; members of another PSA are not offered. */
  psaKind: z.string(),
  /** When the members were last read successfully; null while they never were. */
  pulledAt: z.string().nullable(),
  members: z.array(storedMemberSchema),
  /** Why the last pull failed, when it did (the members of the pull before are kept). */
  pullError: z.string().nullable(),
  lastCheck: z.object({
    ranAt: z.string(),
    ranBy: z.string(),
    results: z.array(checkLineSchema),
  }),
});
export type PsaMembersDocument = z.infer<typeof psaMembersDocumentSchema>;
export type StoredPsaMember = z.infer<typeof storedMemberSchema>;

/**
 * The members pulled from the PSA connected now (`psaKind`), or undefined when none were: members
 * of a PSA the toolbox is no longer connected to are never offered or mapped.
 */
export async function readPsaMembersOf(
  store: Pick<Store, 'settings'>,
  psaKind: string | null,
): Promise<{ doc: PsaMembersDocument; revision: string } | undefined> {
  const pulled = await readPsaMembers(store);
  return pulled && psaKind !== null && pulled.doc.psaKind === psaKind ? pulled : undefined;
}

/** The stored document with its revision, or undefined when no check ran yet (or it is unreadable). */
export async function readPsaMembers(store: Pick<Store, 'settings'>): Promise<{ doc: PsaMembersDocument; revision: string } | undefined> {
  const entry = await store.settings.get(PSA_MEMBERS_KEY);
  if (!entry) return undefined;
  const parsed = psaMembersDocumentSchema.safeParse(entry.value);
  return parsed.success ? { doc: parsed.data, revision: entry.revision } : undefined;
}
