import { splitHybridPairId } from '../../engine/directory-registry.js';
import type { Clock } from '../../lib/clock.js';
import { type FieldProblem, ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import type { EffectiveDirectory, LiveSettings } from './live-settings.js';
import { type CompanyMappingsDocument, companyMappingsDocumentSchema, SETTINGS_KEYS } from './settings-documents.js';
import { type Actor, writeSettings } from './write-settings.js';

export type SaveCompanyMappingsDeps = {
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'current' | 'refresh' | 'psaConnector'>;
  clock: Clock;
};

export type SaveCompanyMappingsInput = {
  /**
   * PSA company id → directory id (or a hybrid pair's, `<cloud id>+<on-prem id>`), or null to
   * unmap. Companies left out keep their mapping.
   */
  mappings: Record<string, string | null>;
  /** The `companyMappingsRevision` read; a save over someone else's newer change is refused. */
  revision?: string | null;
};

const MAX_CHANGES = 5000;

/**
 * Why a company cannot be mapped to this directory id, or null: a directory that exists, or a
 * hybrid pair `<cloud id>+<on-prem id>` of a cloud directory and an on-prem one.
 */
function mappingProblem(
  directoryId: string,
  directories: readonly Pick<EffectiveDirectory, 'id' | 'name' | 'onPremises'>[],
): string | null {
  const known = () => directories.map((directory) => directory.id).join(', ') || 'none yet; add one under "Directories"';
  const pair = splitHybridPairId(directoryId);
  const find = (id: string) => directories.find((directory) => directory.id === id);
  if (!pair) return find(directoryId) ? null : `directory "${directoryId.slice(0, 60)}" does not exist (known: ${known()})`;
  const cloud = find(pair.cloudId);
  const onPremises = find(pair.onPremisesId);
  for (const [id, found] of [
    [pair.cloudId, cloud],
    [pair.onPremisesId, onPremises],
  ] as const)
    if (!found) return `directory "${id.slice(0, 60)}" does not exist (known: ${known()})`;
  if (cloud?.onPremises || !onPremises?.onPremises)
    return `a hybrid mapping is a Microsoft 365 directory then an on-premises AD one ("<cloud id>+<AD id>"); ${cloud?.name} and ${onPremises?.name} are not such a pair`;
  return null;
}

/**
 * Maps (or unmaps) PSA companies to directories in one write, as a bulk confirmation of
 * suggestions or one manual change. Companies the configuration file maps are refused: the file
 * wins at every start, so a console change to them would silently not apply.
 */
export async function saveCompanyMappings(deps: SaveCompanyMappingsDeps, input: SaveCompanyMappingsInput, actor: Actor) {
  const effective = deps.settings.current();
  const entries = Object.entries(input.mappings);
  if (entries.length === 0) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: 'Nothing to save: choose at least one company to map or unmap.',
      fields: [{ path: 'mappings', message: 'must name at least one company' }],
    });
  }
  if (entries.length > MAX_CHANGES) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `At most ${MAX_CHANGES} companies can be saved at once; send them in smaller groups.`,
      fields: [{ path: 'mappings', message: `must name at most ${MAX_CHANGES} companies` }],
    });
  }

  const connector = deps.settings.psaConnector();
  // A company id means something only in its PSA: mappings are saved under the PSA connected now.
  if (!connector || !effective.psa) {
    throw new ToolboxError({
      code: 'TBX_ERR_PSA_NOT_CONFIGURED',
      httpStatus: 409,
      message: 'Connect the PSA first (Admin → PSA connection): a company id is mapped as the id of a company in that PSA.',
    });
  }
  const psaKind = effective.psa.kind;
  const fileMapped = new Map(
    effective.companyMappings.filter((mapping) => mapping.source === 'file').map((mapping) => [mapping.companyId, mapping.directoryId]),
  );
  const problems: FieldProblem[] = [];
  const inFile: string[] = [];
  const changes = new Map<string, string | null>();
  for (const [rawCompanyId, directoryId] of entries) {
    const path = `mappings.${rawCompanyId}`;
    const companyId = connector.parseId('company', rawCompanyId);
    if (companyId === null) {
      problems.push({
        path,
        message: `is not a ${connector.words.name} ${connector.words.company.one} id: expected ${connector.idFormat.company}`,
      });
      continue;
    }
    if (directoryId !== null) {
      const problem = mappingProblem(directoryId, effective.directories);
      if (problem) {
        problems.push({ path, message: problem });
        continue;
      }
    }
    if (fileMapped.has(companyId)) {
      inFile.push(companyId);
      continue;
    }
    changes.set(companyId, directoryId);
  }
  if (problems.length > 0) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `Nothing was saved. ${problems.map((problem) => `${problem.path} ${problem.message}`).join('; ')}.`,
      fields: problems,
    });
  }
  if (inFile.length > 0) {
    throw new ToolboxError({
      code: 'TBX_ERR_SET_IN_FILE',
      httpStatus: 409,
      message: `Nothing was saved: the configuration file maps compan${inFile.length === 1 ? 'y' : 'ies'} ${inFile.join(', ')} (directories[].psaCompanyIds), so ${inFile.length === 1 ? 'it is' : 'they are'} read-only here. Change the file and restart the toolbox.`,
      fields: inFile.map((companyId) => ({ path: `mappings.${companyId}`, message: 'is mapped by the configuration file' })),
    });
  }

  const stored = await deps.store.settings.get(SETTINGS_KEYS.companyMappings);
  const parsed = stored ? companyMappingsDocumentSchema.safeParse(stored.value) : undefined;
  const byPsa = parsed?.success ? parsed.data.byPsa : {};
  const before: Record<string, string> = { ...byPsa[psaKind] };
  const after: Record<string, string> = { ...before };
  for (const [companyId, directoryId] of changes) {
    if (directoryId === null) delete after[companyId];
    else after[companyId] = directoryId;
  }
  // Other PSAs' mappings are kept as they are: they apply again if that PSA comes back.
  const doc: CompanyMappingsDocument = { byPsa: { ...byPsa, [psaKind]: after } };
  const { revision } = await writeSettings(deps, {
    key: SETTINGS_KEYS.companyMappings,
    value: doc,
    ...(input.revision !== undefined ? { expectedRevision: input.revision } : {}),
    action: 'company-mappings.update',
    before: { psaKind, mappings: before },
    after: { psaKind, mappings: after },
    actor,
  });
  return { revision, saved: changes.size };
}
