import { z } from 'zod';
import type { Store } from '../../store/types.js';

/**
 * The last systems check of each directory, one settings document per directory
 * (`directory-check:<id>`), so the directories page and the forms catalogue can show whether a
 * tenant is ready without calling Microsoft on every page view. It holds what the check said,
 * never a secret (the connector's messages name the app and tenant, not the credentials).
 */
export const DIRECTORY_CHECK_PREFIX = 'directory-check:';

export const directoryCheckKey = (directoryId: string) => `${DIRECTORY_CHECK_PREFIX}${directoryId}`;

export const directoryCheckLineSchema = z.object({
  name: z.string(),
  ok: z.boolean().describe('True only for a real pass'),
  outcome: z
    .enum(['not-run', 'unverified', 'warning'])
    .optional()
    .describe('Why a line that is not ok is not a failure: skipped after a failure, not verifiable, or a warning'),
  message: z.string(),
  hint: z.string().optional(),
  upstreamCode: z.string().optional(),
});

export const directoryCheckDocumentSchema = z.object({
  directoryId: z.string(),
  ranAt: z.string().describe('ISO time the check finished'),
  ranBy: z.string().describe('E-mail of the admin (or API token owner) who ran it'),
  ok: z.boolean().describe('True when no line failed or was skipped (lines that cannot be verified do not count against it)'),
  results: z.array(directoryCheckLineSchema),
});
export type DirectoryCheckDocument = z.infer<typeof directoryCheckDocumentSchema>;

/** The last check of every directory, by directory id; unreadable documents are left out. */
export async function readDirectoryChecks(store: Pick<Store, 'settings'>): Promise<Map<string, DirectoryCheckDocument>> {
  const checks = new Map<string, DirectoryCheckDocument>();
  for (const entry of await store.settings.list()) {
    if (!entry.key.startsWith(DIRECTORY_CHECK_PREFIX)) continue;
    const parsed = directoryCheckDocumentSchema.safeParse(entry.value);
    if (parsed.success) checks.set(entry.key.slice(DIRECTORY_CHECK_PREFIX.length), parsed.data);
  }
  return checks;
}

/** The last check of one directory, or null when it never ran (or its document is unreadable). */
export async function readDirectoryCheck(store: Pick<Store, 'settings'>, directoryId: string): Promise<DirectoryCheckDocument | null> {
  const entry = await store.settings.get(directoryCheckKey(directoryId));
  if (!entry) return null;
  const parsed = directoryCheckDocumentSchema.safeParse(entry.value);
  return parsed.success ? parsed.data : null;
}
