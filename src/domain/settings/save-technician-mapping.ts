import type { Clock } from '../../lib/clock.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import { NO_MEMBERS_PULLED } from './auto-map-technicians.js';
import type { LiveSettings } from './live-settings.js';
import { readPsaMembersOf } from './psa-members-document.js';
import { SETTINGS_KEYS, type TechnicianMapping } from './settings-documents.js';
import { readTechnicianMappings, type StoredTechnicianMappings } from './technician-mappings-store.js';
import { type Actor, writeSettings } from './write-settings.js';

export type SaveTechnicianMappingDeps = {
  store: Pick<Store, 'settings' | 'users'>;
  settings: Pick<LiveSettings, 'refresh' | 'current'>;
  clock: Clock;
};

export type SaveTechnicianMappingInput = {
  userId: string;
  /** The PSA member's id, or null to leave the user unmapped (automatic matching then skips them too). */
  memberId: string | null;
  /** The mappings revision the admin saw; the save is refused if someone changed them since. */
  revision?: string | null | undefined;
};

/**
 * An admin's choice of PSA member for one toolbox user. It is `manual`, so automatic matching by
 * email never replaces it; clearing is a choice too and is remembered the same way.
 */
export async function saveTechnicianMapping(
  deps: SaveTechnicianMappingDeps,
  input: SaveTechnicianMappingInput,
  actor: Actor,
): Promise<{ revision: string; mapping: TechnicianMapping | null }> {
  const user = await deps.store.users.findById(input.userId);
  if (!user) {
    throw new ToolboxError({
      code: 'TBX_ERR_NOT_FOUND',
      httpStatus: 404,
      message: `There is no toolbox user with id ${input.userId.slice(0, 60)}. Reload the technician list and pick the user again.`,
    });
  }
  let mapping: TechnicianMapping | null = null;
  if (input.memberId !== null) {
    const pulled = await readPsaMembersOf(deps.store, deps.settings.current().psa?.kind ?? null);
    if (!pulled) throw NO_MEMBERS_PULLED();
    const member = pulled.doc.members.find((candidate) => candidate.id === input.memberId);
    if (!member) {
      throw new ToolboxError({
        code: 'TBX_ERR_VALIDATION',
        httpStatus: 400,
        message: `memberId: ${input.memberId.slice(0, 60)} is not one of the PSA members pulled by the last systems check. Pick a member from the list, or run the systems check again if the member is new.`,
        fields: [{ path: 'memberId', message: 'must be the id of a pulled PSA member (run the systems check to pull new members)' }],
      });
    }
    mapping = { psaKind: pulled.doc.psaKind, memberId: member.id, identifier: member.identifier, name: member.name, source: 'manual' };
  }
  const { doc, revision } = await readTechnicianMappings(deps.store);
  const next: StoredTechnicianMappings = {
    mappings: { ...doc.mappings },
    clearedByAdmin: doc.clearedByAdmin.filter((userId) => userId !== user.id),
  };
  if (mapping) next.mappings[user.id] = mapping;
  else {
    delete next.mappings[user.id];
    next.clearedByAdmin.push(user.id);
  }
  const previous = doc.mappings[user.id];
  const saved = await writeSettings(deps, {
    key: SETTINGS_KEYS.technicianMappings,
    value: next,
    expectedRevision: input.revision !== undefined ? input.revision : revision,
    action: mapping ? 'technician.map' : 'technician.clear',
    target: `technician:${user.email}`,
    before: previous ? { member: previous.identifier, source: previous.source } : null,
    after: mapping ? { member: mapping.identifier, source: mapping.source } : { member: null, source: 'manual' },
    actor,
  });
  return { revision: saved.revision, mapping };
}
