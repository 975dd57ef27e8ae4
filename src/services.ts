import type { Config } from './config/config.js';
import type { DirectoryConnector } from './connectors/directory/types.js';
import type { PsaClient, PsaConnector } from './connectors/psa/types.js';
import type { SignInProviders } from './connectors/sign-in/sign-in-providers.js';
import type { AgentHub } from './domain/agents/agent-hub.js';
import type { SessionResolver } from './domain/auth/resolve-session.js';
import type { SignInThrottle } from './domain/auth/sign-in-throttle.js';
import type { AccountRolesCache } from './domain/launch/account-roles-cache.js';
import type { LaunchReads } from './domain/launch/launch-reads.js';
import type { createOptionLoader } from './domain/launch/load-options.js';
import type { TicketLauncherReads } from './domain/launch/ticket-launcher-reads.js';
import type { MicrosoftAppServices } from './domain/microsoft-app/microsoft-app-services.js';
import type { LiveSettings } from './domain/settings/live-settings.js';
import type { DirectoryRegistry } from './engine/directory-registry.js';
import type { FormRegistry } from './forms/form-registry.js';
import type { JobQueue } from './jobs/types.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { SecretBox } from './lib/secret-box.js';
import type { Readiness } from './operations/readiness.js';
import type { ToolboxMetrics } from './operations/toolbox-metrics.js';
import type { Store } from './store/types.js';

/**
 * Everything the web layer and the worker are given: built once in `create-services.ts` from the
 * configuration, passed down explicitly (no module-level singletons), so a test builds its own.
 */
export type Services = {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The file's settings merged with the console's, kept current across instances. */
  settings: LiveSettings;
  /** Every connector this build has, for the console's connection forms. */
  connectors: { psa: Record<string, PsaConnector<unknown>>; directory: Record<string, DirectoryConnector<unknown>> };
  /** Always the PSA client in force (`settings.psa`). */
  psa: PsaClient;
  /** Always the directories in force (`settings.directories`). */
  directories: DirectoryRegistry;
  /** Every form this toolbox has, each defined once (its fields, workflow, input, label). */
  forms: FormRegistry;
  jobQueue: JobQueue;
  secretBox: SecretBox;
  launchReads: LaunchReads;
  /** The ticket launcher's reads (pod, LiveLink, custom button), kept a minute for the launch opened from it. */
  ticketLauncherReads: TicketLauncherReads;
  sessions: SessionResolver;
  /** Failed sign-ins counted per account and address; locks after too many (shared by all instances). */
  signInThrottle: SignInThrottle;
  loadOptions: ReturnType<typeof createOptionLoader>;
  /** The roles behind the form page's privileged-account warning, remembered for 30 s. */
  accountRoles: AccountRolesCache;
  /** What /readyz reports; draining once a shutdown began. */
  readiness: Readiness;
  /** The Prometheus metrics /metrics serves. */
  metrics: ToolboxMetrics;
  /**
   * Technician sign-in with Microsoft or another OpenID provider as set up now (none: local
   * accounts only). A function: Microsoft's follows the MSP app saved in the console.
   */
  signInProviders(): SignInProviders;
  /** The on-prem agents' link: their polls and answers, and the operations sent to them. */
  agents: AgentHub;
  /** The MSP's multi-tenant app and the tenant consent flow (docs/microsoft-365.md). */
  microsoftApp: MicrosoftAppServices;
};
