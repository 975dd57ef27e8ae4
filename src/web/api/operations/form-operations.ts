import { z } from 'zod';
import { describeFormsCatalogue } from '../../../domain/forms-catalogue/describe-forms-catalogue.js';
import { setEnabledForms } from '../../../domain/forms-catalogue/set-enabled-forms.js';
import { setFormEnabled } from '../../../domain/forms-catalogue/set-form-enabled.js';
import { readDirectoryChecks } from '../../../domain/settings/directory-check-document.js';
import type { Services } from '../../../services.js';
import { defineOperation } from '../api-operation.js';

const needSchema = z.object({ ok: z.boolean(), detail: z.string() });

export const formsCatalogueSchema = z.object({
  source: z
    .enum(['file', 'console', 'default'])
    .describe('file: the configuration file sets the list (read-only here); default: none enabled yet'),
  revision: z.string().nullable(),
  forms: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      available: z.boolean().describe('True for every form this build has (each one can be enabled)'),
      enabled: z.boolean(),
      ready: z.boolean().describe('Everything the form needs is in place, as far as the last systems checks tell'),
      needs: z.object({
        psa: needSchema,
        directories: needSchema,
        companyMappings: needSchema,
        permissions: z.array(
          z.object({
            directoryId: z.string(),
            directoryName: z.string(),
            offered: z
              .boolean()
              .describe('False when this directory cannot do what the form cannot do without: its screen pops for the form are refused'),
            notOffered: z.string().optional().describe('Why not, e.g. "Contoso AD cannot list or remove sign-in (MFA) methods."'),
            leftOut: z
              .array(z.object({ step: z.string(), what: z.string(), reason: z.string() }))
              .describe('Optional steps of the form this directory cannot do: the form is offered without them'),
            checkedAt: z.string().nullable().describe('When the directory’s systems check last ran; null: never'),
            items: z.array(
              z.object({
                label: z.string(),
                checkName: z.string(),
                state: z
                  .enum(['pass', 'fail', 'not-run', 'unverified', 'not-checked', 'not-reported'])
                  .describe(
                    'unverified: the check cannot prove it without a real change (an Entra role); not-run: skipped after a failure',
                  ),
                message: z.string(),
                hint: z.string().optional(),
                partial: z.string().optional().describe('Needed only for this part of the form'),
              }),
            ),
          }),
        ),
      }),
    }),
  ),
});

/** The catalogue as the page and the API show it. */
export async function loadFormsCatalogue(services: Services) {
  return describeFormsCatalogue({
    settings: services.settings.current(),
    forms: services.forms.list,
    directoryConnectors: services.connectors.directory,
    checks: await readDirectoryChecks(services.store),
  });
}

export const getFormsCatalogueOperation = defineOperation({
  id: 'getFormsCatalogue',
  method: 'get',
  path: '/api/admin/forms',
  tag: 'Forms',
  summary: 'Every form, whether it is enabled, and whether what it needs is in place',
  access: 'admin',
  response: formsCatalogueSchema,
  async handler({ services }) {
    return loadFormsCatalogue(services);
  },
});

export const setFormEnabledOperation = defineOperation({
  id: 'setFormEnabled',
  method: 'put',
  path: '/api/admin/forms/{name}',
  tag: 'Forms',
  summary: 'Enable or disable a form',
  description: 'Refused (409) when the configuration file sets the list of enabled forms; 404 for a form this toolbox does not have.',
  access: 'admin',
  params: z.object({ name: z.string().min(1) }),
  body: z.strictObject({ enabled: z.boolean() }),
  response: z.object({ enabled: z.array(z.string()).describe('Every enabled form now'), revision: z.string().nullable() }),
  async handler({ services, params, body, actor }) {
    return setFormEnabled(
      {
        config: services.config,
        store: services.store,
        settings: services.settings,
        clock: services.clock,
        forms: services.forms,
      },
      params.name,
      body.enabled,
      actor,
    );
  },
});

export const setEnabledFormsOperation = defineOperation({
  id: 'setEnabledForms',
  method: 'put',
  path: '/api/admin/forms',
  tag: 'Forms',
  summary: 'Set which forms are enabled, all at once',
  description:
    'The forms listed are enabled, every other one disabled. Send the catalogue’s `revision`: if the list changed since, the save is ' +
    'refused (409) instead of undoing that change. Refused (409) when the configuration file sets the list; 400 for a form this toolbox does not have.',
  access: 'admin',
  body: z.strictObject({
    enabled: z.array(z.string().min(1)).describe('Names of the forms to enable, e.g. ["password_reset", "reset_mfa"]'),
    revision: z.string().nullable().describe('The catalogue’s revision when it was read; null when no list was ever saved'),
  }),
  response: z.object({ enabled: z.array(z.string()).describe('Every enabled form now'), revision: z.string().nullable() }),
  async handler({ services, body, actor }) {
    return setEnabledForms(
      {
        config: services.config,
        store: services.store,
        settings: services.settings,
        clock: services.clock,
        forms: services.forms,
      },
      body.enabled,
      body.revision,
      actor,
    );
  },
});

export const formOperations = [getFormsCatalogueOperation, setFormEnabledOperation, setEnabledFormsOperation];
