import { z } from 'zod';
import { readLocalSignInPolicy, saveLocalSignInPolicy } from '../../../domain/settings/local-sign-in-policy.js';
import { defineOperation } from '../api-operation.js';

const policySchema = z
  .enum(['everyone', 'admins'])
  .describe('`everyone` may use toolbox passwords, or only local `admins` (break-glass) once Microsoft or OIDC sign-in is configured');

export const getSignInPolicy = defineOperation({
  id: 'getSignInPolicy',
  method: 'get',
  path: '/api/admin/sign-in',
  tag: 'General settings',
  summary: 'Who may sign in with a toolbox password, and which outside sign-ins are configured',
  access: 'admin',
  response: z.object({ localAccounts: policySchema, providers: z.array(z.enum(['microsoft', 'oidc'])) }),
  async handler({ services }) {
    return {
      localAccounts: await readLocalSignInPolicy(services.store),
      providers: (['microsoft', 'oidc'] as const).filter((kind) => services.signInProviders()[kind] !== undefined),
    };
  },
});

export const saveSignInPolicy = defineOperation({
  id: 'saveSignInPolicy',
  method: 'put',
  path: '/api/admin/sign-in',
  tag: 'General settings',
  summary: 'Limit toolbox passwords to local admins (break-glass), or open them to everyone again',
  access: 'admin',
  body: z.strictObject({ localAccounts: policySchema }),
  response: z.object({ revision: z.string() }),
  async handler({ services, body, actor }) {
    return saveLocalSignInPolicy(
      {
        store: services.store,
        settings: services.settings,
        clock: services.clock,
        externalSignInConfigured: Object.keys(services.signInProviders()).length > 0,
      },
      body.localAccounts,
      actor,
    );
  },
});

export const signInPolicyOperations = [getSignInPolicy, saveSignInPolicy];
