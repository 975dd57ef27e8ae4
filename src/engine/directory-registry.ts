import type { DirectoryConfig } from '../config/config.js';
import { createHybridDirectory } from '../connectors/directory/hybrid/hybrid-directory.js';
import type { DirectoryCapability, DirectoryClient } from '../connectors/directory/types.js';

/** The configured directories with their clients, and which one serves a PSA company. */
export type DirectoryEntry = {
  config: DirectoryConfig;
  client: DirectoryClient;
  /**
   * For a company served by two directories (hybrid): where a step needing `capability` changes
   * this user ("on-premises Active Directory (Contoso AD)"), for the form and the note. Absent for
   * a single directory: everything happens there.
   */
  placeOf?: (capability: DirectoryCapability, userId: string) => Promise<string | null>;
};

export type DirectoryRegistry = {
  /** A configured directory, or the hybrid pair `<cloud id>+<on-prem id>` an execution recorded. */
  get(id: string): DirectoryEntry | undefined;
  forCompany(psaCompanyId: string): DirectoryEntry | undefined;
  all(): DirectoryEntry[];
};

/** Directory ids are lowercase letters, digits and dashes: `+` joins the two of a hybrid pair unambiguously. */
const PAIR_SEPARATOR = '+';

/** The id of a hybrid pair, as executions, mappings and the API name it: `<cloud id>+<on-prem id>`. */
export const hybridPairId = (cloudId: string, onPremisesId: string) => `${cloudId}${PAIR_SEPARATOR}${onPremisesId}`;

/** The two ids of a hybrid pair's id, or null for a single directory's id. */
export function splitHybridPairId(id: string): { cloudId: string; onPremisesId: string } | null {
  const [cloudId, onPremisesId, ...rest] = id.split(PAIR_SEPARATOR);
  return cloudId && onPremisesId && rest.length === 0 ? { cloudId, onPremisesId } : null;
}

/** The on-prem side of a hybrid company is the directory synced users come from (AD's `syncSource`). */
const isOnPremises = (entry: DirectoryEntry) => entry.client.syncSource !== undefined;

/**
 * A company mapped to two directories, one of them the on-prem source of the other's synced
 * users, is served by both as one hybrid directory (see hybrid-directory.ts). The configuration
 * refuses other pairs; here a pair that is not one cloud and one on-prem directory falls back to
 * the first, as before.
 */
function hybridEntry(cloud: DirectoryEntry, onPremises: DirectoryEntry, now: () => number): DirectoryEntry {
  const hybrid = createHybridDirectory(
    { id: cloud.config.id, name: cloud.config.name, client: cloud.client, allowPrivilegedTargets: cloud.config.allowPrivilegedTargets },
    {
      id: onPremises.config.id,
      name: onPremises.config.name,
      client: onPremises.client,
      allowPrivilegedTargets: onPremises.config.allowPrivilegedTargets,
    },
    { now },
  );
  const formDefaults: Record<string, unknown> = { ...cloud.config.formDefaults };
  // A form's defaults from both: the on-prem ones (an OU) beside the cloud ones (a usage location).
  for (const [form, values] of Object.entries(onPremises.config.formDefaults)) {
    formDefaults[form] = { ...(formDefaults[form] as object | undefined), ...(values as object) };
  }
  return {
    config: {
      id: hybridPairId(cloud.config.id, onPremises.config.id),
      kind: 'hybrid',
      name: `${cloud.config.name} + ${onPremises.config.name}`,
      psaCompanyIds: cloud.config.psaCompanyIds.filter((id) => onPremises.config.psaCompanyIds.includes(id)),
      // Each side's own setting applies inside the hybrid client: the pair itself refuses what it reports.
      allowPrivilegedTargets: false,
      formDefaults,
      settings: undefined,
    },
    client: hybrid.client,
    placeOf: hybrid.placeOf,
  };
}

export function createDirectoryRegistry(entries: DirectoryEntry[], options: { now?: () => number } = {}): DirectoryRegistry {
  const now = options.now ?? Date.now;
  const byId = new Map(entries.map((entry) => [entry.config.id, entry]));
  const servedBy = new Map<string, DirectoryEntry[]>();
  for (const entry of entries)
    for (const companyId of entry.config.psaCompanyIds) servedBy.set(companyId, [...(servedBy.get(companyId) ?? []), entry]);
  const pairs = new Map<string, DirectoryEntry>();
  /** The hybrid entry of a cloud and an on-prem directory (one per pair, so its matches are shared). */
  const pairOf = (cloud: DirectoryEntry, onPremises: DirectoryEntry) => {
    const key = hybridPairId(cloud.config.id, onPremises.config.id);
    let pair = pairs.get(key);
    if (!pair) {
      pair = hybridEntry(cloud, onPremises, now);
      pairs.set(key, pair);
    }
    return pair;
  };
  const byCompany = new Map<string, DirectoryEntry>();
  for (const [companyId, serving] of servedBy) {
    const [first] = serving;
    if (!first) continue;
    const onPremises = serving.filter(isOnPremises);
    const cloud = serving.filter((entry) => !isOnPremises(entry));
    if (serving.length === 2 && onPremises[0] && cloud[0]) byCompany.set(companyId, pairOf(cloud[0], onPremises[0]));
    else byCompany.set(companyId, first);
  }
  /** An execution names its pair; it runs (or re-runs) on it even if the company's mapping changed since. */
  const pairById = (id: string): DirectoryEntry | undefined => {
    const ids = splitHybridPairId(id);
    const cloud = ids ? byId.get(ids.cloudId) : undefined;
    const onPremises = ids ? byId.get(ids.onPremisesId) : undefined;
    if (!cloud || !onPremises || isOnPremises(cloud) || !isOnPremises(onPremises)) return undefined;
    return pairOf(cloud, onPremises);
  };
  return {
    get: (id) => byId.get(id) ?? pairById(id),
    forCompany: (companyId) => byCompany.get(companyId),
    all: () => [...byId.values()],
  };
}
