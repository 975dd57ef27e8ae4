import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { errorsBody, json } from './autotask-http.js';

/**
 * Who may call the simulated database, and how a client finds it (reference §1, §2):
 *
 * - zone discovery, `GET …/zoneInformation?user={username}`, needs no credentials. An unknown
 *   user gets 500 "Zone information could not be determined"; when the client sends an
 *   `ApiIntegrationCode` header anyway, a wrong one gets 500 "IntegrationCode is invalid." (the
 *   apigrate README reports both);
 * - every other call needs the three headers `ApiIntegrationCode`, `UserName` and `Secret`. Any
 *   mismatch, a missing header, or an inactive or locked API user is the same 401 with an empty
 *   body: Autotask does not say which part was wrong.
 */
export type AutotaskApiUser = {
  /** The API user's own resource id. */
  id: number;
  /** In e-mail form; Autotask compares it case-insensitively. */
  username: string;
  secret: string;
  integrationCode: string;
  active: boolean;
  /** Locked after too many failed sign-ins, or by an administrator. */
  locked: boolean;
  /** The security level's "Allow impersonation of resources" (Web Services API section). */
  impersonationAllowed: boolean;
};

export type ZoneAnswer = { zoneName: string; url: string; webUrl: string; ci: number };

export function zoneInformation(url: URL, request: Request, user: AutotaskApiUser, zone: ZoneAnswer): Response {
  const code = request.headers.get('apiintegrationcode');
  if (code !== null && !constantTimeEquals(code.trim(), user.integrationCode)) {
    return errorsBody(500, ['IntegrationCode is invalid.']);
  }
  const asked = url.searchParams.get('user') ?? url.searchParams.get('User') ?? '';
  if (asked.trim().toLowerCase() !== user.username.toLowerCase()) {
    return errorsBody(500, ['Zone information could not be determined']);
  }
  return json(200, zone);
}

/** True when the three headers name this API user and it may sign in. */
export function headersAccepted(request: Request, user: AutotaskApiUser): boolean {
  const code = request.headers.get('apiintegrationcode');
  const name = request.headers.get('username');
  const secret = request.headers.get('secret');
  if (code === null || name === null || secret === null) return false;
  // Every comparison runs, so the time taken does not say which header was wrong.
  const codeOk = constantTimeEquals(code.trim(), user.integrationCode);
  const nameOk = constantTimeEquals(name.trim().toLowerCase(), user.username.toLowerCase());
  const secretOk = constantTimeEquals(secret, user.secret);
  return codeOk && nameOk && secretOk && user.active && !user.locked;
}
