import type { Services } from '../services.js';
import type { SessionRecord, UserRecord } from '../store/types.js';

export type Auth = { user: UserRecord; session: SessionRecord };

/** Hono's per-request variables. */
export type AppEnv = {
  Variables: {
    services: Services;
    auth: Auth | undefined;
    requestId: string;
  };
};
