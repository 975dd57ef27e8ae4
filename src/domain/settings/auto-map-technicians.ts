import type { Clock } from '../../lib/clock.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import type { LiveSettings } from './live-settings.js';
import { matchMemberByEmail } from './match-member-by-email.js';
import { readPsaMembersOf } from './psa-members-document.js';
import { SETTINGS_KEYS, type TechnicianMapping } from './settings-documents.js';
import { readTechnicianMappings, type StoredTechnicianMappings } from './technician-mappings-store.js';
import { type Actor, writeSettings } from './write-settings.js';

export type AutoMapTechniciansDeps = {
  store: Pick<Store, 'settings' | 'users'>;
  settings: Pick<LiveSettings, 'refresh' | 'current'>;
  clock: Clock;
};

export type AutoMapResult = {
  /** Users now mapped by email (new or changed in this run). */
  mapped: { userId: string; email: string; memberIdentifier: string }[];
  /** Automatic mappings removed because their member is gone or no longer has that email. */
  unmapped: { userId: string; email: string }[];
  /** Users left alone because an admin chose (or cleared) their member. */
  keptManual: number;
  /** Users no member's email matches. */
  unmatched: number;
  /** Why each user left unmapped was not matched, so "nothing matched" is never the whole answer. */
  notMatched: { userId: string; email: string; reason: string }[];
};

/** Nothing to map to until the systems check has read the PSA's members. */
export const NO_MEMBERS_PULLED = () =>
  new ToolboxError({
    code: 'TBX_ERR_NO_PSA_MEMBERS',
    httpStatus: 409,
    message:
      'No members of the PSA connected now have been pulled yet. Run the systems check (Admin > PSA connection > Systems check) to pull the members.',
  });

/**
 * Maps toolbox users to PSA members whose email matches (case-insensitive), using the members the
 * last systems check pulled. An admin's choice is never overwritten: a manual mapping, or a user
 * an admin cleared, is skipped. Inactive members and emails two members share are not matched,
 * so a guess never attributes notes to the wrong person. Writes (and audits) only on a change.
 */
export async function autoMapTechnicians(deps: AutoMapTechniciansDeps, actor: Actor): Promise<AutoMapResult> {
  const psaKind = deps.settings.current().psa?.kind ?? null;
  const pulled = await readPsaMembersOf(deps.store, psaKind);
  if (!pulled) throw NO_MEMBERS_PULLED();
  const members = pulled.doc.members;
  const mappedPsa = pulled.doc.psaKind;
  const users = await deps.store.users.list();
  const { doc, revision } = await readTechnicianMappings(deps.store);
  const next: StoredTechnicianMappings = { mappings: { ...doc.mappings }, clearedByAdmin: [...doc.clearedByAdmin] };
  const result: AutoMapResult = { mapped: [], unmapped: [], keptManual: 0, unmatched: 0, notMatched: [] };

  for (const user of users) {
    // A mapping made under another PSA names a member of that PSA: as good as none here, and
    // replaced by a match in this one (a choice an admin made there included).
    const stored = doc.mappings[user.id];
    const existing = stored?.psaKind === mappedPsa ? stored : undefined;
    if (existing?.source === 'manual' || doc.clearedByAdmin.includes(user.id)) {
      result.keptManual++;
      continue;
    }
    const { member, reason } = matchMemberByEmail(user.email, members);
    if (!member) {
      result.unmatched++;
      result.notMatched.push({ userId: user.id, email: user.email, reason });
      if (existing) {
        delete next.mappings[user.id];
        result.unmapped.push({ userId: user.id, email: user.email });
      }
      continue;
    }
    const mapping: TechnicianMapping = {
      psaKind: mappedPsa,
      memberId: member.id,
      identifier: member.identifier,
      name: member.name,
      source: 'auto',
    };
    if (existing?.memberId === mapping.memberId && existing.identifier === mapping.identifier && existing.name === mapping.name) continue;
    next.mappings[user.id] = mapping;
    result.mapped.push({ userId: user.id, email: user.email, memberIdentifier: member.identifier });
  }
  // Mappings of users that no longer exist are dropped with the rest of the change.
  for (const userId of Object.keys(next.mappings)) if (!users.some((user) => user.id === userId)) delete next.mappings[userId];

  if (result.mapped.length === 0 && result.unmapped.length === 0) return result;
  await writeSettings(deps, {
    key: SETTINGS_KEYS.technicianMappings,
    value: next,
    expectedRevision: revision,
    action: 'technicians.auto-map',
    before: Object.fromEntries(
      [...result.mapped, ...result.unmapped].map((change) => [change.email, doc.mappings[change.userId]?.identifier ?? null]),
    ),
    after: Object.fromEntries([
      ...result.mapped.map((change) => [change.email, change.memberIdentifier]),
      ...result.unmapped.map((change) => [change.email, null]),
    ]),
    actor,
  });
  return result;
}

/**
 * A technician's first sign-in (Microsoft or OIDC): maps by e-mail as the systems check does, if
 * the PSA's members have been pulled; before that there is nothing to map to and nothing to say.
 */
export async function mapNewTechnician(deps: AutoMapTechniciansDeps, actor: Actor): Promise<void> {
  const pulled = await readPsaMembersOf(deps.store, deps.settings.current().psa?.kind ?? null);
  if (!pulled) return;
  await autoMapTechnicians(deps, actor);
}
