import type { PsaConnector } from '../../connectors/psa/types.js';
import type { CreateLaunchDeps } from '../../domain/launch/create-launch.js';
import { checkLaunchCapacity } from '../../domain/launch/launch-capacity.js';
import type { TicketLauncherDeps } from '../../domain/launch/open-ticket-launcher.js';
import type { Services } from '../../services.js';

/** What creating a launch needs, the same for a screen pop and for the ticket launcher. */
export function createLaunchDeps(services: Services, psaConnector: PsaConnector<unknown>): Omit<CreateLaunchDeps, 'prefetched'> {
  const settings = services.settings.current();
  return {
    psaConnector,
    launches: services.store.launches,
    launchReads: services.launchReads,
    clock: services.clock,
    availableForms: services.forms.names,
    labelOf: services.forms.labelOf,
    enabledForms: settings.forms.enabled,
    ttlMinutes: settings.general.launchTtlMinutes.value,
    capacity: (companyId, reads) =>
      checkLaunchCapacity({ psa: services.settings.psaLimit(), directory: services.settings.directoryLimitForCompany(companyId) }, reads),
  };
}

/** What the ticket launcher needs (the pod's and the launcher page's). */
export function ticketLauncherDeps(services: Services): TicketLauncherDeps {
  return {
    psaConnector: services.settings.psaConnector(),
    reads: services.ticketLauncherReads,
    directories: services.directories,
    forms: services.forms,
    enabledForms: services.settings.current().forms.enabled,
    capacity: (reads) => checkLaunchCapacity({ psa: services.settings.psaLimit(), directory: undefined }, reads),
  };
}
