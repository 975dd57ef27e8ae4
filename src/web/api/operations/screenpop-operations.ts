import { z } from 'zod';
import { describeTicketLauncher } from '../../../domain/launch/ticket-launcher-setup.js';
import { revealScreenpopUrls } from '../../../domain/screenpop/reveal-screenpop-urls.js';
import { setScreenpopSecret } from '../../../domain/screenpop/set-screenpop-secret.js';
import { screenPopTemplate } from '../../../forms/screen-pop-template.js';
import type { Services } from '../../../services.js';
import { defineOperation } from '../api-operation.js';

export const SCREENPOP_SECRET_HEADER = 'x-toolbox-secret';
export const SCREENPOP_SECRET_QUERY = 'secret';

export const screenpopViewSchema = z.object({
  publicUrl: z.string(),
  webhookUrl: z.string().describe('This toolbox’s screen-pop address'),
  secret: z.object({
    set: z.boolean().describe('Whether screen pops must carry the secret; its value is never returned'),
    source: z.enum(['file', 'console', 'none']),
    header: z.literal(SCREENPOP_SECRET_HEADER),
    queryParameter: z.literal(SCREENPOP_SECRET_QUERY),
  }),
  psa: z
    .object({
      kind: z.string(),
      label: z.string(),
      variables: z
        .object({ ticket: z.string(), company: z.string(), contact: z.string() })
        .describe('The 1Stream variables of this PSA that carry the ticket, company and contact ids'),
    })
    .nullable()
    .describe('The PSA in force, whose 1Stream variables the URLs carry; null while none is connected (and no URL is given)'),
  forms: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      state: z.enum(['enabled', 'not enabled']),
      url: z.string().nullable().describe('The URL template to paste into 1Stream (Link Type Custom); null until a PSA is connected'),
    }),
  ),
  ticketLauncher: z
    .object({
      psa: z.object({ kind: z.string(), label: z.string() }).nullable(),
      declared: z.boolean().describe('False when the PSA’s connector does not say how it opens a page: the generic launcher URL is given'),
      name: z.string().describe('What the PSA calls it: "Hosted API pod", "LiveLink", "custom button"'),
      opens: z.enum(['frame', 'window']).describe('frame: the PSA shows the pod inside its ticket screen; window: it opens the launcher'),
      url: z.string().describe('The launcher URL to paste into the PSA, with the PSA’s own placeholders'),
      origin: z.string().describe('This toolbox’s origin (ConnectWise asks for it as the pod’s Origin)'),
      frameAncestor: z.string().nullable().describe('frame: the only origin allowed to frame the pod (the PSA’s site)'),
      steps: z.array(z.object({ text: z.string(), values: z.array(z.object({ label: z.string(), value: z.string() })) })),
    })
    .describe('Launching the forms from inside the PSA’s ticket screen (ConnectWise pod, Autotask LiveLink, HaloPSA button)'),
});

/** The screen-pop table, enabled forms first (the ones an admin pastes into 1Stream now). */
export function describeScreenpop(services: Services): z.infer<typeof screenpopViewSchema> {
  const settings = services.settings.current();
  const publicUrl = services.config.publicUrl;
  const connector = services.settings.psaConnector();
  const forms = services.forms.list.map((form) => ({
    name: form.name,
    label: form.label,
    state: settings.forms.enabled.includes(form.name) ? ('enabled' as const) : ('not enabled' as const),
    url: connector ? screenPopTemplate(publicUrl, form.name, connector.screenPop) : null,
  }));
  const rank = { enabled: 0, 'not enabled': 1 };
  forms.sort((a, b) => rank[a.state] - rank[b.state]);
  return {
    publicUrl,
    webhookUrl: `${publicUrl}/hooks/screenpop`,
    psa: connector ? { kind: connector.kind, label: connector.label, variables: { ...connector.screenPop } } : null,
    secret: {
      set: settings.screenpop.secret !== undefined,
      source: settings.screenpop.source,
      header: SCREENPOP_SECRET_HEADER,
      queryParameter: SCREENPOP_SECRET_QUERY,
    },
    forms,
    ticketLauncher: describeTicketLauncher(publicUrl, connector && settings.psa ? { connector, settings: settings.psa.settings } : null),
  };
}

export const getScreenpopOperation = defineOperation({
  id: 'getScreenpop',
  method: 'get',
  path: '/api/admin/screenpop',
  tag: 'Screen-pop URLs',
  summary: 'The screen-pop URL of each form and whether a webhook secret is set (never its value)',
  access: 'admin',
  response: screenpopViewSchema,
  async handler({ services }) {
    return describeScreenpop(services);
  },
});

export const setScreenpopSecretOperation = defineOperation({
  id: 'setScreenpopSecret',
  method: 'put',
  path: '/api/admin/screenpop/secret',
  tag: 'Screen-pop URLs',
  summary: 'Set, replace or clear the webhook secret (the 1Stream Client API Key)',
  description: `Write-only. Once set, a screen pop must send it as the ${SCREENPOP_SECRET_HEADER} header or the ${SCREENPOP_SECRET_QUERY} query parameter.`,
  access: 'admin',
  body: z.strictObject({
    secret: z.string().nullable().describe('The same value as 1Stream’s Client API Key; null clears it'),
  }),
  response: z.object({ secretSet: z.boolean(), revision: z.string() }),
  async handler({ services, body, actor }) {
    return setScreenpopSecret(
      { config: services.config, store: services.store, settings: services.settings, clock: services.clock, secretBox: services.secretBox },
      body.secret,
      actor,
    );
  },
});

export const revealScreenpopUrlsOperation = defineOperation({
  id: 'revealScreenpopUrls',
  method: 'post',
  path: '/api/admin/screenpop/urls-with-secret',
  tag: 'Screen-pop URLs',
  summary: 'Each form’s screen-pop URL with the webhook secret in it, to paste into 1Stream (audited)',
  description:
    `The URLs carry the secret as the ${SCREENPOP_SECRET_QUERY} query parameter, so they work as pasted. They hold a secret: ` +
    'treat them as one. Audited as screenpop.secret.reveal (without the value). 409 TBX_ERR_NO_SECRET when no secret is set, ' +
    '409 TBX_ERR_PSA_NOT_CONFIGURED while no PSA is connected (the URLs carry its 1Stream variables).',
  access: 'admin',
  response: z.object({
    forms: z.array(z.object({ name: z.string(), label: z.string(), url: z.string().describe('Holds the secret') })),
  }),
  async handler({ services, actor }) {
    return revealScreenpopUrls(
      {
        store: services.store,
        settings: services.settings,
        clock: services.clock,
        publicUrl: services.config.publicUrl,
        forms: services.forms,
      },
      actor,
    );
  },
});

export const screenpopOperations = [getScreenpopOperation, setScreenpopSecretOperation, revealScreenpopUrlsOperation];
