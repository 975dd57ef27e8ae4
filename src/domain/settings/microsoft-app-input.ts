import type { MicrosoftAppConfig } from '../../config/sign-in-providers-schema.js';
import { microsoftBlockSchema } from '../../config/sign-in-providers-schema.js';
import { readClientCertificate } from '../../connectors/directory/entra/entra-settings.js';
import type { FieldProblem } from '../../lib/toolbox-error.js';

/**
 * The MSP app as the console and the API take it (issue 13 §1): the same values as the file's
 * `microsoft` block, with the credential chosen by `credential` and the certificate pasted as PEM
 * (the console cannot read a file of the server's). Problems are named by these field names.
 */
export type MicrosoftAppInput = {
  clientId: string;
  tenantId: string;
  credential: 'secret' | 'certificate';
  clientSecret?: string | undefined;
  /** PEM; the certificate may come along in the same text. */
  privateKey?: string | undefined;
  /** PEM of the certificate uploaded to the app registration. */
  certificate?: string | undefined;
  authorityHost?: string | undefined;
  graphUrl?: string | undefined;
  roles: { admin: string[]; technician: string[] };
};

/** What each field is called on the console's form, for messages. */
export const MICROSOFT_APP_LABELS: Record<string, string> = {
  clientId: 'Application (client) ID',
  tenantId: 'MSP tenant ID',
  credential: 'Credential',
  clientSecret: 'Client secret',
  privateKey: 'Private key',
  certificate: 'Certificate',
  authorityHost: 'Authority host',
  graphUrl: 'Graph URL',
  admin: 'Admin roles',
  technician: 'Technician roles',
};

const given = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value : undefined);

/**
 * Checks the app with the configuration file's own schema (microsoftBlockSchema: the same
 * messages) and the certificate with readClientCertificate (as an `entra` directory's), so the
 * console accepts exactly what the file would. Returns the app as the file's block would give it.
 */
export function validateMicrosoftApp(input: MicrosoftAppInput): { app: MicrosoftAppConfig } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const block = {
    clientId: input.clientId,
    tenantId: input.tenantId,
    ...(given(input.authorityHost) ? { authorityHost: input.authorityHost!.trim() } : {}),
    ...(given(input.graphUrl) ? { graphUrl: input.graphUrl!.trim() } : {}),
    roles: {
      admin: input.roles.admin.map((value) => value.trim()).filter((value) => value !== ''),
      technician: input.roles.technician.map((value) => value.trim()).filter((value) => value !== ''),
    },
  };
  const parsed = microsoftBlockSchema.safeParse(block);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path.map(String);
      problems.push({ path: first === 'roles' && second ? `roles.${second}` : (first ?? 'settings'), message: issue.message });
    }
  }
  let credential: Pick<MicrosoftAppConfig, 'clientSecret' | 'certificate' | 'privateKey' | 'certificateInfo'> = {};
  if (input.credential === 'secret') {
    if (!given(input.clientSecret)) {
      problems.push({
        path: 'clientSecret',
        message: 'is required: paste the secret’s value (Certificates & secrets → Client secrets), or choose a certificate instead.',
      });
    } else {
      credential = { clientSecret: input.clientSecret!.trim() };
    }
  } else {
    const read = readClientCertificate(given(input.certificate), given(input.privateKey));
    if ('problem' in read) problems.push({ path: read.problem.field, message: read.problem.message });
    else credential = { certificate: read.certificatePem, privateKey: read.privateKeyPem, certificateInfo: read.info };
  }
  if (problems.length > 0 || !parsed.success) return { problems };
  const app = parsed.data;
  return {
    app: {
      clientId: app.clientId.toLowerCase(),
      tenantId: app.tenantId.toLowerCase(),
      authorityHost: app.authorityHost,
      graphUrl: app.graphUrl,
      roles: app.roles && app.roles.admin.length + app.roles.technician.length > 0 ? app.roles : undefined,
      ...credential,
    },
  };
}
