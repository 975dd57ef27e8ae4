/**
 * The MSP's one multi-tenant app registration (issue 13 §1), as the tenant side needs it: its
 * client id and home tenant, its credential (a certificate, preferred, or a secret), and the
 * Microsoft cloud it lives in. The configuration's `microsoft` block is turned into this by the
 * caller; nothing here reads configuration. Secrets arrive resolved and are never logged.
 */
export type MspAppCredential = { kind: 'secret'; secret: string } | { kind: 'certificate'; privateKeyPem: string; certificatePem: string };

export type MspApp = {
  clientId: string;
  /** The MSP's own tenant (id or verified domain), where the app is registered. */
  tenantId: string;
  credential: MspAppCredential;
  /** e.g. https://login.microsoftonline.com (no trailing slash). */
  authorityHost: string;
  /** e.g. https://graph.microsoft.com (no trailing slash). */
  graphUrl: string;
};

/** The `redirect_uri` of the admin-consent callback: registered on the app as a `web` redirect URI. */
export const consentCallbackUrl = (publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/admin/microsoft/consent-callback`;

/** The `redirect_uri` of "Sign in with Microsoft" (connectors/sign-in): registered on the same app. */
export const microsoftSignInCallbackUrl = (publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/auth/microsoft/callback`;
