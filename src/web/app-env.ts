import type { Services } from '../services.js';
import type { SessionRecord, UserRecord } from '../store/types.js';

export type Auth = { user: UserRecord; session: SessionRecord };

/** Hono's per-request variables. */
export type AppEnv = {
  Variables: {
    services: Services;
    auth: Auth | undefined;
    requestId: string;
    /**
     * Set by the one page another site may frame (the ConnectWise pod): that site's origin, which
     * replaces `frame-ancestors 'none'`. Every other response keeps refusing to be framed.
     */
    frameAncestor: string | undefined;
    /**
     * Set by the pod's sign-in window, whose pages must keep their link to the pod that opened
     * them (a same-origin opener policy would cut it): `unsafe-none` for those pages only.
     */
    openerPolicy: 'unsafe-none' | undefined;
  };
};
