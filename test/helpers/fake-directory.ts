import { DIRECTORY_PARTS } from '../../src/connectors/directory/directory-capabilities.js';
import type { DirectoryClient } from '../../src/connectors/directory/types.js';

/**
 * A DirectoryClient for unit tests of workflows and domain functions: every core method rejects
 * ("not used by this test") unless the test supplies it, and the client has only the optional
 * parts the test gives it, so a test states exactly what it depends on.
 */
export function fakeDirectory(overrides: Partial<DirectoryClient>): DirectoryClient {
  return new Proxy(overrides as DirectoryClient, {
    get(target, property: string) {
      if (property in target) return target[property as keyof DirectoryClient];
      if (property === 'then') return undefined;
      if ((DIRECTORY_PARTS as readonly string[]).includes(property)) return undefined;
      return () => Promise.reject(new Error(`DirectoryClient.${property} is not used by this test`));
    },
  });
}
