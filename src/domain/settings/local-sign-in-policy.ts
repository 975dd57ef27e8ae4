import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store, UserRecord } from '../../store/types.js';
import { SETTINGS_KEYS, signInDocumentSchema } from './settings-documents.js';
import { type Actor, type WriteSettingsDeps, writeSettings } from './write-settings.js';

/**
 * Who may sign in with a local e-mail and password (docs/microsoft-365.md, "Technician sign-in"):
 * `everyone` (the default), or `admins`: once technicians sign in with Microsoft or another
 * provider, the local form is refused to everyone but local **admin** accounts, the break-glass
 * way in when the provider is down or misconfigured. A console setting, read from the store at
 * each sign-in so every instance applies it at once.
 */
export type LocalSignInPolicy = 'everyone' | 'admins';

export async function readLocalSignInPolicy(store: Pick<Store, 'settings'>): Promise<LocalSignInPolicy> {
  const entry = await store.settings.get(SETTINGS_KEYS.signIn);
  const parsed = entry ? signInDocumentSchema.safeParse(entry.value) : undefined;
  // A damaged document must not lock anyone out: the default.
  return parsed?.success ? parsed.data.localAccounts : 'everyone';
}

export const localSignInAllowed = (policy: LocalSignInPolicy, user: Pick<UserRecord, 'role'>) =>
  policy === 'everyone' || user.role === 'admin';

export async function saveLocalSignInPolicy(
  deps: WriteSettingsDeps & { externalSignInConfigured: boolean },
  policy: LocalSignInPolicy,
  actor: Actor,
) {
  if (policy === 'admins' && !deps.externalSignInConfigured) {
    throw new ToolboxError({
      code: 'TBX_ERR_NO_SIGN_IN_PROVIDER',
      httpStatus: 409,
      message:
        'Local accounts can only be limited to admins once technicians can sign in another way: configure `microsoft` (with roles) or `oidc` first (docs/microsoft-365.md).',
    });
  }
  const before = await readLocalSignInPolicy(deps.store);
  return writeSettings(deps, {
    key: SETTINGS_KEYS.signIn,
    value: { localAccounts: policy },
    action: 'sign-in.local-accounts',
    before: { localAccounts: before },
    after: { localAccounts: policy },
    actor,
  });
}
