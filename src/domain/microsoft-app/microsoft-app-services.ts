import type { Config } from '../../config/config.js';
import { createMspTenantGraph, type MspTenantGraph } from '../../connectors/directory/entra/msp-tenant-graph.js';
import type { DirectoryConnector } from '../../connectors/directory/types.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import type { Clock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { Store } from '../../store/types.js';
import type { DirectoryCheckDocument } from '../settings/directory-check-document.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { runDirectoryCheck } from '../settings/run-directory-check.js';
import { saveDirectory } from '../settings/save-directory.js';
import type { Actor } from '../settings/write-settings.js';
import type { ConnectTenantDeps } from './connect-tenant.js';
import type { MspApp } from './msp-app.js';
import { describeMspAppRegistration, type MspAppRegistration } from './msp-app-registration.js';
import { describeMspAppStatus, type MspAppStatus, runMspAppCheck } from './msp-app-status.js';

/**
 * The MSP app as the console and the API use it: the app in force now (the file's or the
 * console's, absent until set up; read anew on every call, so a saved app applies at once and on
 * every instance) and the consent flow's dependencies.
 */
export type MicrosoftAppServices = {
  app(): MspApp | undefined;
  tenantGraph(tenantId: string): MspTenantGraph;
  connectDeps: ConnectTenantDeps;
  /** Runs and keeps the app's own check; null when no MSP app is configured. */
  checkApp(actor: Actor): Promise<DirectoryCheckDocument | null>;
  status(): Promise<MspAppStatus>;
  /** The steps to register the app: redirect URIs and permissions per form, for this publicUrl. */
  registration(): MspAppRegistration;
};

export function createMicrosoftAppServices(deps: {
  config: Pick<Config, 'publicUrl' | 'directories'>;
  store: Store;
  settings: LiveSettings;
  secretBox: SecretBox;
  clock: Clock;
  fetch: FetchLike;
  logger: Logger;
  forms: FormRegistry;
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  sleep?: (ms: number) => Promise<void>;
}): MicrosoftAppServices {
  const app = () => deps.settings.current().microsoftApp?.app;
  const tenantGraph = (tenantId: string) => {
    const mspApp = app();
    if (!mspApp) throw new Error('No MSP app is configured.');
    return createMspTenantGraph(
      {
        mspApp,
        fetch: deps.fetch,
        clock: deps.clock,
        logger: deps.logger.child({ component: 'msp-app' }),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      },
      tenantId,
    );
  };
  const entra = deps.directoryConnectors.entra;
  const connectDeps: ConnectTenantDeps = {
    mspApp: app,
    publicUrl: deps.config.publicUrl,
    store: deps.store,
    clock: deps.clock,
    tenantGraph,
    directories: () =>
      deps.settings.current().directories.map((d) => ({
        id: d.id,
        kind: d.kind,
        name: d.name,
        tenantId:
          typeof (d.settings as { tenantId?: unknown } | undefined)?.tenantId === 'string'
            ? (d.settings as { tenantId: string }).tenantId
            : undefined,
        source: d.view.source,
        usesMspApp: (d.settings as { credential?: unknown } | undefined)?.credential === 'msp-app',
      })),
    async saveDirectory(id, mode, input, actor) {
      await saveDirectory(
        {
          config: deps.config,
          store: deps.store,
          settings: deps.settings,
          secretBox: deps.secretBox,
          clock: deps.clock,
          directoryConnectors: deps.directoryConnectors,
          formDefaultsSchemas: { ...deps.forms.defaultsSchemas },
        },
        { mode, id },
        { kind: 'entra', name: input.name, fields: { credential: 'msp-app', tenantId: input.tenantId }, secrets: {} },
        actor,
      );
    },
    async runCheck(directoryId, actor) {
      await deps.settings.ensureFresh();
      return runDirectoryCheck(
        { directories: deps.settings.directories, store: deps.store, settings: deps.settings, clock: deps.clock },
        directoryId,
        actor,
      );
    },
    enabledForms: () => deps.settings.current().forms.enabled.flatMap((name) => deps.forms.get(name) ?? []),
    capabilities: entra?.capabilities ?? {
      signIn: { label: '', checkName: '' },
      proofs: {} as DirectoryConnector['capabilities']['proofs'],
    },
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  const statusDeps = { store: deps.store, settings: deps.settings, clock: deps.clock };
  return {
    app,
    tenantGraph,
    connectDeps,
    checkApp: (actor) =>
      runMspAppCheck(
        {
          ...statusDeps,
          check: () => {
            const mspApp = app();
            return mspApp
              ? {
                  mspApp,
                  publicUrl: deps.config.publicUrl,
                  homeGraph: tenantGraph(mspApp.tenantId),
                  enabledForms: connectDeps.enabledForms(),
                  capabilities: connectDeps.capabilities,
                  // Microsoft sign-in is offered only with roles: only then must its callback be registered.
                  signInOffered: !!deps.settings.current().microsoftApp?.config.roles,
                }
              : undefined;
          },
        },
        actor,
      ),
    status: () => describeMspAppStatus(statusDeps),
    registration: () =>
      describeMspAppRegistration({
        publicUrl: deps.config.publicUrl,
        forms: deps.forms.list,
        enabledForms: deps.settings.current().forms.enabled,
        capabilities: connectDeps.capabilities,
      }),
  };
}
