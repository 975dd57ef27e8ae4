import { autotaskConnector } from './autotask/autotask-connector.js';
import { connectWiseConnector } from './connectwise/connectwise-connector.js';
import { haloPsaConnector } from './halopsa/halopsa-connector.js';
import type { PsaConnector } from './types.js';

/**
 * Every PSA connector, by the `psa.kind` that selects it. Add a PSA: one folder beside this file
 * implementing `PsaConnector`, and one line here.
 */
export const psaConnectors: Record<string, PsaConnector<unknown>> = {
  connectwise: connectWiseConnector as PsaConnector<unknown>,
  autotask: autotaskConnector as PsaConnector<unknown>,
  halopsa: haloPsaConnector as PsaConnector<unknown>,
};
