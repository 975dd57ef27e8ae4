import type { Config, DirectoryConfig } from '../../config/config.js';
import { GENERAL_DEFAULTS } from '../../config/config-schema.js';
import { mspAppFromConfig } from '../../config/msp-app-from-config.js';
import type { MicrosoftAppConfig } from '../../config/sign-in-providers-schema.js';
import type { ConnectionField } from '../../connectors/connection-fields.js';
import { connectorCapabilities } from '../../connectors/directory/directory-capabilities.js';
import type { DirectoryAgentLink, DirectoryClient, DirectoryConnector } from '../../connectors/directory/types.js';
import type { PsaClient, PsaConnector } from '../../connectors/psa/types.js';
import {
  createDirectoryRegistry,
  type DirectoryEntry,
  type DirectoryRegistry,
  hybridPairId,
  splitHybridPairId,
} from '../../engine/directory-registry.js';
import type { Clock } from '../../lib/clock.js';
import { ConcurrencyLimit } from '../../lib/concurrency-limit.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import { limitedFetch } from '../../lib/limited-fetch.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { SettingsEntry, Store } from '../../store/types.js';
import type { MspApp } from '../microsoft-app/msp-app.js';
import { validateMicrosoftApp } from './microsoft-app-input.js';
import {
  companyMappingsDocumentSchema,
  directoryDocumentSchema,
  formsDocumentSchema,
  type GeneralDocument,
  generalDocumentSchema,
  microsoftAppDocumentSchema,
  psaDocumentSchema,
  SETTINGS_KEYS,
  screenpopDocumentSchema,
  settingSecretAad,
  type TechnicianMapping,
  technicianMappingsDocumentSchema,
} from './settings-documents.js';

export type SettingSource = 'file' | 'console';

/** What the console shows of a connection: never a secret, only which secrets are set. */
export type ConnectionView = {
  kind: string;
  label: string;
  source: SettingSource;
  /** Non-secret values as configured. */
  fields: Record<string, string | number>;
  /** Names of the secret fields that hold a value. */
  secretsSet: string[];
  /** The store revision to send back when editing (console-set only). */
  revision: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
};

export type EffectivePsa = ConnectionView & { settings: unknown };

/**
 * The MSP's multi-tenant app in force: the file's `microsoft` block, else the one saved in the
 * console. Read again whenever the store changes, so every instance uses the one saved last.
 */
export type EffectiveMicrosoftApp = {
  source: SettingSource;
  /** As the file's block gives it: Microsoft sign-in uses it whole (roles, certificate thumbprint). */
  config: MicrosoftAppConfig;
  /** As the tenant side uses it (admin consent, `credential: msp-app` directories). */
  app: MspApp;
  /** The store revision to send back when editing (console-set only). */
  revision: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
};

export type EffectiveDirectory = DirectoryConfig & {
  view: ConnectionView;
  /** An on-prem directory synced users come from (AD): it pairs with a cloud one for a hybrid company. */
  onPremises: boolean;
};

export type CompanyMapping = {
  companyId: string;
  /** A directory's id, or a hybrid pair's (`<cloud id>+<on-prem id>`): a company has one mapping. */
  directoryId: string;
  source: SettingSource;
  /** The PSA the company id belongs to (a file mapping: the PSA in force). */
  psaKind: string | null;
};

/**
 * The configuration in force: the file's values (read-only in the console) merged with what
 * admins set in the console. Built from the store on start and whenever the store changes.
 */
export type EffectiveSettings = {
  psa: EffectivePsa | null;
  /** The MSP app, or null while none is set up. */
  microsoftApp: EffectiveMicrosoftApp | null;
  directories: EffectiveDirectory[];
  /** The mappings in force: the file's and the console's of the PSA connected now. */
  companyMappings: CompanyMapping[];
  /** Mappings saved under another PSA than the one connected now: kept, shown, never applied. */
  otherPsaCompanyMappings: (CompanyMapping & { psaKind: string })[];
  companyMappingsRevision: string | null;
  forms: { enabled: string[]; source: SettingSource | 'default'; revision: string | null };
  screenpop: { secret: string | undefined; source: SettingSource | 'none'; revision: string | null };
  /** Technician mappings of the PSA connected now (another PSA's member ids mean nothing here). */
  technicians: Record<string, TechnicianMapping>;
  technicianMappingsRevision: string | null;
  /** How long screen pops and sign-ins last, how long the form waits for the PSA. */
  general: GeneralSettings;
  /** Saved settings that could not be used (wrong secret key, invalid after an upgrade). */
  problems: string[];
};

export type GeneralSetting = { value: number; source: SettingSource | 'default' };
export type GeneralSettings = {
  launchTtlMinutes: GeneralSetting;
  psaTimeoutMs: GeneralSetting;
  sessionTtlHours: GeneralSetting;
  launchRetentionDays: GeneralSetting;
  jobRetentionDays: GeneralSetting;
  executionRetentionDays: GeneralSetting;
  revision: string | null;
};

export type LiveSettingsDeps = {
  config: Config;
  store: Pick<Store, 'settings'>;
  secretBox: SecretBox;
  fetch: FetchLike;
  /** The fetch a connector of this kind is given (the metrics count its calls); default `fetch`. */
  fetchFor?: (connectorKind: string) => FetchLike;
  logger: Logger;
  clock: Clock;
  psaConnectors: Record<string, PsaConnector<unknown>>;
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  formDefaultsSchemas: Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }>;
  availableForms: string[];
  /** How long the store's settings are trusted before asking whether they changed. */
  refreshMs?: number;
  /**
   * The MSP's multi-tenant app given by the caller (tests): like the file's `microsoft` block, it
   * wins over the console's. Without it, `config.microsoft`, else the console's document.
   */
  mspApp?: MspApp;
  /** Replaces every connector's own `maxConcurrentRequests` (tests make it small). */
  maxConcurrentRequests?: number;
  /** The on-prem agents, for directories reached through one. */
  agents?: DirectoryAgentLink;
};

/** Calls that may wait for one connection, per call it runs at once: bounded, never a growing backlog. */
const QUEUE_PER_SLOT = 16;

export type LiveSettings = {
  current(): EffectiveSettings;
  /** Re-reads the store when its settings changed (`force`: always). */
  refresh(options?: { force?: boolean }): Promise<void>;
  /** Like refresh, at most every `refreshMs`: cheap enough for every request. */
  ensureFresh(): Promise<void>;
  psaConnector(): PsaConnector<unknown> | undefined;
  /** Always the current PSA client; throws a "not set up" error while there is none. */
  psa: PsaClient;
  /** Always the current directories. */
  directories: DirectoryRegistry;
  /** A client for settings not saved yet (check before save). */
  buildPsaClient(kind: string, settings: unknown): PsaClient;
  buildDirectoryClient(kind: string, id: string, settings: unknown): DirectoryClient;
  /** The concurrency limit of the current PSA connection (undefined while there is none). */
  psaLimit(): ConcurrencyLimit | undefined;
  /** The concurrency limit of the directory serving this PSA company, if one does. */
  directoryLimitForCompany(companyId: string): ConcurrencyLimit | undefined;
};

export const PSA_NOT_CONFIGURED = () =>
  new ToolboxError({
    code: 'TBX_ERR_PSA_NOT_CONFIGURED',
    httpStatus: 503,
    message: 'The PSA connection is not set up yet. An admin sets it up in the admin console under "PSA connection".',
  });

function splitFields(fields: ConnectionField[], settings: Record<string, unknown>) {
  const secretNames = new Set(fields.filter((field) => field.secret).map((field) => field.name));
  const shown: Record<string, string | number> = {};
  const secretsSet: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (secretNames.has(name)) {
      if (value !== undefined && value !== '') secretsSet.push(name);
    } else if (typeof value === 'string' || typeof value === 'number') {
      shown[name] = value;
    }
  }
  return { shown, secretsSet };
}

export function createLiveSettings(deps: LiveSettingsDeps): LiveSettings {
  const refreshMs = deps.refreshMs ?? 2_000;
  const psaClients = new Map<string, Limited<PsaClient>>();
  const directoryClients = new Map<string, Limited<DirectoryClient>>();

  // Each connection (one client) has its own limit: all of its calls, reads and writes, share it.
  const newLimit = (declared: number) => {
    const limit = deps.maxConcurrentRequests ?? declared;
    return new ConcurrencyLimit({ limit, maxQueue: limit * QUEUE_PER_SLOT });
  };
  const buildPsa = (kind: string, settings: unknown): Limited<PsaClient> => {
    const connector = deps.psaConnectors[kind];
    if (!connector) throw new Error(`Unknown PSA kind ${kind}`);
    const limit = newLimit(connector.maxConcurrentRequests);
    const fetch = limitedFetch(deps.fetchFor?.(kind) ?? deps.fetch, limit, connector.label);
    return { limit, client: connector.create(settings, { fetch, logger: deps.logger.child({ psa: kind }), clock: deps.clock }) };
  };
  const buildDirectory = (kind: string, id: string, settings: unknown, mspApp?: MspApp): Limited<DirectoryClient> => {
    const connector = deps.directoryConnectors[kind];
    if (!connector) throw new Error(`Unknown directory kind ${kind}`);
    const limit = newLimit(connector.maxConcurrentRequests);
    const fetch = limitedFetch(deps.fetchFor?.(kind) ?? deps.fetch, limit, connector.label);
    return {
      limit,
      client: connector.create(settings, {
        fetch,
        logger: deps.logger.child({ directory: id }),
        clock: deps.clock,
        directoryId: id,
        ...(deps.agents ? { agents: deps.agents } : {}),
        ...(mspApp ? { mspApp } : {}),
      }),
    };
  };
  const buildPsaClient = (kind: string, settings: unknown): PsaClient => buildPsa(kind, settings).client;
  const buildDirectoryClient = (kind: string, id: string, settings: unknown): DirectoryClient =>
    buildDirectory(kind, id, settings, state.effective.microsoftApp?.app).client;

  /** Clients are kept while their settings stay the same, so tokens and codebase lookups survive other changes. */
  function cachedClient<T>(cache: Map<string, T>, used: Set<string>, key: string, build: () => T): T {
    used.add(key);
    let client = cache.get(key);
    if (!client) {
      client = build();
      cache.set(key, client);
    }
    return client;
  }

  type State = {
    effective: EffectiveSettings;
    psaClient: Limited<PsaClient> | undefined;
    registry: DirectoryRegistry;
    directoryLimits: Map<string, ConcurrencyLimit>;
    fingerprint: string;
  };

  function openConnection(
    entry: SettingsEntry,
    doc: { kind: string; fields: Record<string, string | number>; secrets: Record<string, string> },
    connector: {
      settings: {
        safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } };
      };
    },
  ): { settings: unknown } | { problem: string } {
    const plain: Record<string, unknown> = { ...doc.fields };
    try {
      for (const [name, sealed] of Object.entries(doc.secrets))
        plain[name] = deps.secretBox.open(sealed, settingSecretAad(entry.key, name));
    } catch (error) {
      return { problem: (error as Error).message };
    }
    const parsed = connector.settings.safeParse(plain);
    if (!parsed.success) {
      return {
        problem: parsed.error?.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`).join('; ') ?? 'invalid',
      };
    }
    return { settings: parsed.data };
  }

  /** The file's app (or the caller's), else the console's document opened and checked again. */
  function composeMicrosoftApp(entry: SettingsEntry | undefined, problems: string[]): EffectiveMicrosoftApp | null {
    const fileApp = deps.mspApp ?? mspAppFromConfig(deps.config.microsoft);
    if (fileApp) {
      if (entry) problems.push('The configuration file sets the MSP app (microsoft), so the one saved in the console is not used.');
      const config: MicrosoftAppConfig = deps.config.microsoft ?? {
        clientId: fileApp.clientId,
        tenantId: fileApp.tenantId,
        authorityHost: fileApp.authorityHost,
        graphUrl: fileApp.graphUrl,
        roles: undefined,
        ...(fileApp.credential.kind === 'secret'
          ? { clientSecret: fileApp.credential.secret }
          : { certificate: fileApp.credential.certificatePem, privateKey: fileApp.credential.privateKeyPem }),
      };
      return { source: 'file', config, app: fileApp, revision: null, updatedAt: null, updatedBy: null };
    }
    if (!entry) return null;
    const doc = microsoftAppDocumentSchema.safeParse(entry.value);
    if (!doc.success) {
      problems.push('The saved MSP app is not readable by this version; enter it again under "Microsoft 365".');
      return null;
    }
    let secrets: Record<string, string>;
    try {
      secrets = Object.fromEntries(
        Object.entries(doc.data.secrets).map(([name, sealed]) => [name, deps.secretBox.open(sealed, settingSecretAad(entry.key, name))]),
      );
    } catch (error) {
      problems.push(`The saved MSP app cannot be used: ${(error as Error).message}`);
      return null;
    }
    const read = validateMicrosoftApp({ ...doc.data, ...secrets });
    if ('problems' in read) {
      problems.push(
        `The saved MSP app cannot be used: ${read.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
      );
      return null;
    }
    const app = mspAppFromConfig(read.app);
    if (!app) return null;
    return { source: 'console', config: read.app, app, revision: entry.revision, updatedAt: entry.updatedAt, updatedBy: entry.updatedBy };
  }

  function compose(entries: SettingsEntry[], fingerprint: string): State {
    const { config } = deps;
    const problems: string[] = [];
    const byKey = new Map(entries.map((entry) => [entry.key, entry]));
    const usedPsa = new Set<string>();
    const usedDirectories = new Set<string>();

    // PSA: the file's, else the console's.
    let psa: EffectivePsa | null = null;
    const psaEntry = byKey.get(SETTINGS_KEYS.psa);
    if (config.psa) {
      const connector = deps.psaConnectors[config.psa.kind];
      if (connector) {
        const { shown, secretsSet } = splitFields(connector.fields, config.psa.settings as Record<string, unknown>);
        psa = {
          kind: config.psa.kind,
          label: connector.label,
          source: 'file',
          fields: shown,
          secretsSet,
          revision: null,
          updatedAt: null,
          updatedBy: null,
          settings: config.psa.settings,
        };
      }
      if (psaEntry) problems.push('The configuration file sets the PSA connection, so the one saved in the console is not used.');
    } else if (psaEntry) {
      const doc = psaDocumentSchema.safeParse(psaEntry.value);
      const connector = doc.success ? deps.psaConnectors[doc.data.kind] : undefined;
      if (!doc.success || !connector) {
        problems.push('The saved PSA connection is not readable by this version; enter it again under "PSA connection".');
      } else {
        const opened = openConnection(psaEntry, doc.data, connector);
        if ('problem' in opened) {
          problems.push(`The saved PSA connection cannot be used: ${opened.problem}`);
        } else {
          psa = {
            kind: doc.data.kind,
            label: connector.label,
            source: 'console',
            fields: doc.data.fields,
            secretsSet: Object.keys(doc.data.secrets),
            revision: psaEntry.revision,
            updatedAt: psaEntry.updatedAt,
            updatedBy: psaEntry.updatedBy,
            settings: opened.settings,
          };
        }
      }
    }
    const psaClient = psa
      ? cachedClient(psaClients, usedPsa, JSON.stringify([psa.kind, psa.settings]), () => buildPsa(psa.kind, psa.settings))
      : undefined;

    const microsoftApp = composeMicrosoftApp(byKey.get(SETTINGS_KEYS.microsoftApp), problems);

    // Directories: the file's, then the console's (an id the file uses stays the file's).
    const directories: EffectiveDirectory[] = [];
    for (const directory of config.directories) {
      const connector = deps.directoryConnectors[directory.kind];
      const { shown, secretsSet } = splitFields(connector?.fields ?? [], directory.settings as Record<string, unknown>);
      directories.push({
        ...directory,
        psaCompanyIds: [...directory.psaCompanyIds],
        onPremises: connector ? connectorCapabilities(connector).has('syncSource') : false,
        view: {
          kind: directory.kind,
          label: connector?.label ?? directory.kind,
          source: 'file',
          fields: shown,
          secretsSet,
          revision: null,
          updatedAt: null,
          updatedBy: null,
        },
      });
    }
    for (const entry of entries) {
      if (!entry.key.startsWith(SETTINGS_KEYS.directoryPrefix)) continue;
      const doc = directoryDocumentSchema.safeParse(entry.value);
      const connector = doc.success ? deps.directoryConnectors[doc.data.kind] : undefined;
      const id = entry.key.slice(SETTINGS_KEYS.directoryPrefix.length);
      if (!doc.success || !connector) {
        problems.push(`The saved directory "${id}" is not readable by this version; enter it again under "Directories".`);
        continue;
      }
      if (directories.some((directory) => directory.id === id)) {
        problems.push(`The configuration file defines directory "${id}", so the one saved in the console is not used.`);
        continue;
      }
      const opened = openConnection(entry, doc.data, connector);
      if ('problem' in opened) {
        problems.push(`The saved directory "${id}" cannot be used: ${opened.problem}`);
        continue;
      }
      const formDefaults: Record<string, unknown> = {};
      for (const [formName, value] of Object.entries(doc.data.formDefaults)) {
        const parsed = deps.formDefaultsSchemas[formName]?.safeParse(value);
        if (parsed?.success) formDefaults[formName] = parsed.data;
        else problems.push(`Directory "${id}": the saved defaults of ${formName} are not valid any more and are ignored.`);
      }
      directories.push({
        id,
        kind: doc.data.kind,
        name: doc.data.name,
        psaCompanyIds: [],
        onPremises: connectorCapabilities(connector).has('syncSource'),
        allowPrivilegedTargets: doc.data.allowPrivilegedTargets,
        formDefaults,
        settings: opened.settings,
        view: {
          kind: doc.data.kind,
          label: connector.label,
          source: 'console',
          fields: doc.data.fields,
          secretsSet: Object.keys(doc.data.secrets),
          revision: entry.revision,
          updatedAt: entry.updatedAt,
          updatedBy: entry.updatedBy,
        },
      });
    }

    // Company mappings: the file's `psaCompanyIds` (the ids of the PSA in force: the file is edited
    // with the PSA), then the console's of the PSA in force for other companies. Those saved under
    // another PSA are listed apart and never applied: their ids name other companies here.
    const psaKind = psa?.kind ?? null;
    // A company the file gives a cloud and an on-prem directory is one hybrid mapping (cloud first).
    const fileServing = new Map<string, EffectiveDirectory[]>();
    for (const directory of directories)
      for (const companyId of directory.psaCompanyIds) fileServing.set(companyId, [...(fileServing.get(companyId) ?? []), directory]);
    const companyMappings: CompanyMapping[] = [...fileServing].map(([companyId, serving]) => {
      const cloud = serving.find((directory) => !directory.onPremises);
      const onPremises = serving.find((directory) => directory.onPremises);
      const directoryId = serving.length === 2 && cloud && onPremises ? hybridPairId(cloud.id, onPremises.id) : (serving[0]?.id ?? '');
      return { companyId, directoryId, source: 'file' as const, psaKind };
    });
    const otherPsaCompanyMappings: EffectiveSettings['otherPsaCompanyMappings'] = [];
    const mappingsEntry = byKey.get(SETTINGS_KEYS.companyMappings);
    const mappingsDoc = mappingsEntry ? companyMappingsDocumentSchema.safeParse(mappingsEntry.value) : undefined;
    if (mappingsDoc && !mappingsDoc.success)
      problems.push('The saved company mappings are not readable by this version; map the companies again.');
    for (const [mappedPsa, mappings] of Object.entries(mappingsDoc?.success ? mappingsDoc.data.byPsa : {})) {
      for (const [companyId, directoryId] of Object.entries(mappings)) {
        if (mappedPsa !== psaKind) {
          otherPsaCompanyMappings.push({ companyId, directoryId, source: 'console', psaKind: mappedPsa });
          continue;
        }
        if (companyMappings.some((mapping) => mapping.companyId === companyId && mapping.source === 'file')) continue;
        // A hybrid pair serves the company with both its directories.
        const pair = splitHybridPairId(directoryId);
        const ids = pair ? [pair.cloudId, pair.onPremisesId] : [directoryId];
        const serving = ids.map((id) => directories.find((candidate) => candidate.id === id));
        const missing = ids.filter((_, index) => !serving[index]);
        if (missing.length > 0) {
          problems.push(
            `PSA company ${companyId} is mapped to directory "${missing.join('" and "')}", which no longer exist${missing.length === 1 ? 's' : ''}.`,
          );
          continue;
        }
        for (const directory of serving) directory?.psaCompanyIds.push(companyId);
        companyMappings.push({ companyId, directoryId, source: 'console', psaKind: mappedPsa });
      }
    }

    const directoryLimits = new Map<string, ConcurrencyLimit>();
    const registry = createDirectoryRegistry(
      directories.map((directory): DirectoryEntry => {
        // A tenant connected with the MSP app gets a new client when the app changes (a new secret).
        const mspApp =
          (directory.settings as { credential?: unknown } | undefined)?.credential === 'msp-app' ? microsoftApp?.app : undefined;
        const limited = cachedClient(
          directoryClients,
          usedDirectories,
          JSON.stringify([directory.kind, directory.id, directory.settings, mspApp ?? null]),
          () => buildDirectory(directory.kind, directory.id, directory.settings, microsoftApp?.app),
        );
        directoryLimits.set(directory.id, limited.limit);
        return { config: directory, client: limited.client };
      }),
    );

    // Forms: the file's list, else the console's, else none (an admin enables each on purpose).
    const formsEntry = byKey.get(SETTINGS_KEYS.forms);
    const formsDoc = formsEntry ? formsDocumentSchema.safeParse(formsEntry.value) : undefined;
    const forms: EffectiveSettings['forms'] = config.forms.enabled
      ? { enabled: config.forms.enabled, source: 'file', revision: null }
      : formsDoc?.success
        ? {
            enabled: formsDoc.data.enabled.filter((name) => deps.availableForms.includes(name)),
            source: 'console',
            revision: formsEntry!.revision,
          }
        : { enabled: [], source: 'default', revision: formsEntry?.revision ?? null };

    // The screen-pop secret: the file's, else the console's.
    let screenpop: EffectiveSettings['screenpop'] = { secret: undefined, source: 'none', revision: null };
    const screenpopEntry = byKey.get(SETTINGS_KEYS.screenpop);
    if (config.screenpop.secret) {
      screenpop = { secret: config.screenpop.secret, source: 'file', revision: null };
    } else if (screenpopEntry) {
      const doc = screenpopDocumentSchema.safeParse(screenpopEntry.value);
      screenpop = { secret: undefined, source: 'none', revision: screenpopEntry.revision };
      if (doc.success && doc.data.secret) {
        try {
          screenpop = {
            secret: deps.secretBox.open(doc.data.secret, settingSecretAad(SETTINGS_KEYS.screenpop, 'secret')),
            source: 'console',
            revision: screenpopEntry.revision,
          };
        } catch (error) {
          // Failing closed: an unreadable secret must not leave the webhook open.
          screenpop = {
            secret: `unreadable:${screenpopEntry.revision}:${Math.random()}`,
            source: 'console',
            revision: screenpopEntry.revision,
          };
          problems.push(
            `The saved screen-pop secret cannot be read (${(error as Error).message}); screen pops are refused until it is set again.`,
          );
        }
      }
    }

    // General settings: the file's, else the console's, else the default.
    const generalEntry = byKey.get(SETTINGS_KEYS.general);
    const generalDoc = generalEntry ? generalDocumentSchema.safeParse(generalEntry.value) : undefined;
    if (generalDoc && !generalDoc.success) problems.push('The saved general settings are not valid any more; the defaults are used.');
    const consoleGeneral = generalDoc?.success ? generalDoc.data : {};
    const generalValue = (key: keyof GeneralDocument, fileValue: number): GeneralSetting => {
      if (config.explicit?.[key]) return { value: fileValue, source: 'file' };
      const saved = consoleGeneral[key];
      return saved === undefined ? { value: fileValue, source: 'default' } : { value: saved, source: 'console' };
    };
    const general: GeneralSettings = {
      launchTtlMinutes: generalValue('launchTtlMinutes', config.launch.ttlMinutes),
      psaTimeoutMs: generalValue('psaTimeoutMs', config.launch.psaTimeoutMs),
      sessionTtlHours: generalValue('sessionTtlHours', config.session.ttlHours),
      // A hand-built Config (tests, tools) may lack `retention`: the defaults then apply.
      launchRetentionDays: generalValue('launchRetentionDays', config.retention?.launchesDays ?? GENERAL_DEFAULTS.launchRetentionDays),
      jobRetentionDays: generalValue('jobRetentionDays', config.retention?.jobsDays ?? GENERAL_DEFAULTS.jobRetentionDays),
      executionRetentionDays: generalValue(
        'executionRetentionDays',
        config.retention?.executionsDays ?? GENERAL_DEFAULTS.executionRetentionDays,
      ),
      revision: generalEntry?.revision ?? null,
    };

    const techniciansEntry = byKey.get(SETTINGS_KEYS.technicianMappings);
    const techniciansDoc = techniciansEntry ? technicianMappingsDocumentSchema.safeParse(techniciansEntry.value) : undefined;

    // Clients whose settings are gone are dropped.
    for (const key of psaClients.keys()) if (!usedPsa.has(key)) psaClients.delete(key);
    for (const key of directoryClients.keys()) if (!usedDirectories.has(key)) directoryClients.delete(key);

    return {
      fingerprint,
      psaClient,
      registry,
      directoryLimits,
      effective: {
        psa,
        microsoftApp,
        directories,
        companyMappings,
        otherPsaCompanyMappings,
        companyMappingsRevision: mappingsEntry?.revision ?? null,
        forms,
        screenpop,
        technicians: Object.fromEntries(
          Object.entries(techniciansDoc?.success ? techniciansDoc.data.mappings : {}).filter(([, mapping]) => mapping.psaKind === psaKind),
        ),
        technicianMappingsRevision: techniciansEntry?.revision ?? null,
        general,
        problems,
      },
    };
  }

  let state = compose([], 'initial');
  let checkedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  async function refresh(options: { force?: boolean } = {}): Promise<void> {
    const fingerprint = await deps.store.settings.fingerprint();
    checkedAt = deps.clock.now();
    if (!options.force && fingerprint === state.fingerprint) return;
    const entries = await deps.store.settings.list();
    state = compose(entries, fingerprint);
    for (const problem of state.effective.problems) deps.logger.warn({ problem }, 'settings problem');
  }

  const current = () => {
    if (!state.psaClient) throw PSA_NOT_CONFIGURED();
    return state.psaClient.client;
  };

  return {
    current: () => state.effective,
    refresh,
    ensureFresh() {
      if (deps.clock.now() - checkedAt < refreshMs) return Promise.resolve();
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    psaConnector: () => (state.effective.psa ? deps.psaConnectors[state.effective.psa.kind] : undefined),
    // Async, so that "not set up" arrives as a rejected promise like any other PSA failure.
    psa: {
      getTicket: async (...args) => current().getTicket(...args),
      getCompany: async (...args) => current().getCompany(...args),
      getContact: async (...args) => current().getContact(...args),
      listMembers: async (...args) => current().listMembers(...args),
      listCompanies: async (...args) => current().listCompanies(...args),
      addTicketNote: async (...args) => current().addTicketNote(...args),
      findTicketNote: async (...args) => current().findTicketNote(...args),
      ticketUrl: (...args) => current().ticketUrl(...args),
      systemsCheck: async (...args) => current().systemsCheck(...args),
      // Optional capabilities are there exactly when the client in force has them.
      get listContactEmailDomains() {
        const client = state.psaClient?.client;
        return client?.listContactEmailDomains ? client.listContactEmailDomains.bind(client) : undefined;
      },
      get setTicketStatus() {
        const client = state.psaClient?.client;
        return client?.setTicketStatus ? client.setTicketStatus.bind(client) : undefined;
      },
    },
    directories: {
      get: (id) => state.registry.get(id),
      forCompany: (companyId) => state.registry.forCompany(companyId),
      all: () => state.registry.all(),
    },
    buildPsaClient,
    buildDirectoryClient,
    psaLimit: () => state.psaClient?.limit,
    directoryLimitForCompany: (companyId) => {
      const entry = state.registry.forCompany(companyId);
      // A hybrid pair (`cloud+on-prem`) is limited by its cloud side's HTTP calls, the one with a limit.
      return entry ? state.directoryLimits.get(splitHybridPairId(entry.config.id)?.cloudId ?? entry.config.id) : undefined;
    },
  };
}

type Limited<T> = { client: T; limit: ConcurrencyLimit };
