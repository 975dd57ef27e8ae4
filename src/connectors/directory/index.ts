import { activeDirectoryConnector } from './active-directory/active-directory-connector.js';
import { entraConnector } from './entra/entra-connector.js';
import type { DirectoryConnector } from './types.js';

/**
 * Every directory connector, by the `kind` of a `directories` entry. Add one: a folder beside
 * this file implementing `DirectoryConnector`, and one line here.
 */
export const directoryConnectors: Record<string, DirectoryConnector<unknown>> = {
  entra: entraConnector as DirectoryConnector<unknown>,
  'active-directory': activeDirectoryConnector as DirectoryConnector<unknown>,
};
