import type { DirectoryConfig } from '../config/config.js';
import type { DirectoryClient } from '../connectors/directory/types.js';

/** The configured directories with their clients, and which one serves a PSA company. */
export type DirectoryEntry = { config: DirectoryConfig; client: DirectoryClient };

export type DirectoryRegistry = {
  get(id: string): DirectoryEntry | undefined;
  forCompany(psaCompanyId: string): DirectoryEntry | undefined;
  all(): DirectoryEntry[];
};

export function createDirectoryRegistry(entries: DirectoryEntry[]): DirectoryRegistry {
  const byId = new Map(entries.map((entry) => [entry.config.id, entry]));
  const byCompany = new Map<string, DirectoryEntry>();
  for (const entry of entries) for (const companyId of entry.config.psaCompanyIds) byCompany.set(companyId, entry);
  return {
    get: (id) => byId.get(id),
    forCompany: (companyId) => byCompany.get(companyId),
    all: () => [...byId.values()],
  };
}
