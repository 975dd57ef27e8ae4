import type { DatabaseConfig } from '../config/config.js';
import { createKyselyStore } from './kysely/create-kysely-store.js';
import type { Store } from './types.js';

/**
 * The store registry. Both supported databases go through the one Kysely implementation; a
 * different backend would be another folder beside `kysely/` and another branch here.
 */
export function openStore(database: DatabaseConfig, options: { postgresSchema?: string } = {}): Store {
  return createKyselyStore({ database, ...options });
}
