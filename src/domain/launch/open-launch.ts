import type { DirectoryUser } from '../../connectors/directory/types.js';
import type { DirectoryEntry, DirectoryRegistry } from '../../engine/directory-registry.js';
import { formDirectoryFor } from '../../forms/form-offer.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import { loadFormData } from '../../forms/load-form-data.js';
import { type FormData, type FormDirectory, NO_TARGET_USER } from '../../forms/types.js';
import type { Clock } from '../../lib/clock.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { ExecutionRepo, LaunchContext, LaunchRecord, LaunchRepo, ReadFailure } from '../../store/types.js';
import type { WorkflowStep } from '../../workflows/types.js';
import type { AccountRolesCache } from './account-roles-cache.js';
import type { LaunchReads } from './launch-reads.js';
import { type AccountNotice, readAccountNotices } from './read-account-notices.js';
import { type DirectoryUserMatch, resolveDirectoryUser } from './resolve-directory-user.js';

export type OpenLaunchDeps = {
  launches: LaunchRepo;
  /** To find the execution of a launch that was already submitted. */
  executions: Pick<ExecutionRepo, 'findByLaunch'>;
  /**
   * The forms: what each offers the company's directory, its live data (`load`) for the chosen
   * user, and its workflow's account rules, which the page warns about before submit.
   */
  forms?: Pick<FormRegistry, 'get'>;
  /** Remembers the roles behind the page's warning for a few seconds (never the run's check). */
  accountRoles?: AccountRolesCache;
  launchReads: LaunchReads;
  directories: DirectoryRegistry;
  /**
   * The kind of the PSA connected now (null: none). A launch of another PSA is not served: its
   * ids would be read, and its company mapped, in the wrong PSA.
   */
  psaKind: string | null;
  clock: Clock;
  /** How long the page waits for the PSA reads before saying so. */
  waitMs: number;
  sleep?: (ms: number) => Promise<void>;
};

export type PsaReadName = 'ticket' | 'company' | 'contact';

export type OpenLaunchResult =
  | { kind: 'not-found' }
  | { kind: 'expired'; launch: LaunchRecord }
  | { kind: 'forbidden'; launch: LaunchRecord }
  /** The launch came from another PSA than the one connected now (the admin switched PSA). */
  | { kind: 'psa-changed'; launch: LaunchRecord }
  /** Submitted already: the page leads to what it ran, never to a live form again. */
  | { kind: 'used'; launch: LaunchRecord; executionId: string }
  | { kind: 'psa-pending'; launch: LaunchRecord }
  | { kind: 'psa-failed'; launch: LaunchRecord; failures: { read: PsaReadName; id: string; error: ReadFailure }[] }
  | { kind: 'no-directory'; launch: LaunchRecord; context: ReadyContext }
  | { kind: 'directory-failed'; launch: LaunchRecord; context: ReadyContext; directory: DirectoryEntry; message: string; code: string }
  /** The company's directory cannot do what this form cannot do without (`reason`): the form's data is not loaded, nothing runs. */
  | { kind: 'not-offered'; launch: LaunchRecord; context: ReadyContext; directory: DirectoryEntry; label: string; reason: string }
  | {
      kind: 'ready';
      launch: LaunchRecord;
      context: ReadyContext;
      directory: DirectoryEntry;
      match: DirectoryUserMatch;
      /** The user the form acts on: the single match, or the one picked. */
      selected: DirectoryUser | null;
      search: { query: string; results: DirectoryUser[] } | null;
      /** The form's live data for the selected user (null when it has none). */
      formData: FormData;
      /** What the workflow will refuse about the selected account, said before submit. */
      accountNotices: AccountNotice[];
      /** What the form offers this directory and its password policy (null: the form is no longer registered). */
      formDirectory: FormDirectory | null;
      /**
       * A hybrid company: where the form's changes will be made for the selected user (its AD
       * account, or Microsoft 365), each place with the steps done there. Empty for one directory.
       */
      places: ChangePlace[];
    };

export type ChangePlace = { place: string; steps: string[] };

export type ReadyContext = {
  ticket: Extract<NonNullable<LaunchContext['ticket']>, { ok: true }>['value'] | null;
  company: Extract<LaunchContext['company'], { ok: true }>['value'];
  contact: Extract<LaunchContext['contact'], { ok: true }>['value'];
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitForContext(deps: OpenLaunchDeps, launch: LaunchRecord): Promise<LaunchContext | null> {
  if (launch.context) return launch.context;
  const inFlight = deps.launchReads.inFlight(launch.id)?.context;
  if (inFlight) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), deps.waitMs);
    });
    const context = await Promise.race([inFlight, timeout]);
    clearTimeout(timer);
    return context;
  }
  // Another instance started the reads: its result arrives through the store.
  const sleep = deps.sleep ?? defaultSleep;
  const deadline = deps.clock.now() + deps.waitMs;
  while (deps.clock.now() < deadline) {
    await sleep(50);
    const again = await deps.launches.get(launch.id);
    if (again?.context) return again.context;
  }
  return null;
}

/** Where each offered change step of the form happens for this user, grouped by place (hybrid directories only). */
async function changePlaces(
  directory: DirectoryEntry,
  steps: readonly Pick<WorkflowStep<never>, 'key' | 'label' | 'kind' | 'needs'>[],
  formDirectory: FormDirectory,
  userId: string,
): Promise<ChangePlace[]> {
  const placeOf = directory.placeOf;
  if (!placeOf) return [];
  const places: ChangePlace[] = [];
  for (const step of steps) {
    if (step.kind !== 'change' || !formDirectory.offer.offers(step.key)) continue;
    let place: string | null = null;
    for (const need of step.needs) {
      place = await placeOf(need, userId).catch(() => null);
      if (place) break;
    }
    if (!place) continue;
    const known = places.find((entry) => entry.place === place);
    if (known) known.steps.push(step.label);
    else places.push({ place, steps: [step.label] });
  }
  return places;
}

/**
 * Everything the launch page needs: the launch (owned by this technician, not expired), the PSA
 * context (waiting for reads still in flight, bounded), the directory serving the company and
 * the directory user matching the contact, or the picked one.
 */
export async function openLaunch(
  deps: OpenLaunchDeps,
  launchId: string,
  technicianUserId: string,
  choice: { userId?: string | undefined; query?: string | undefined } = {},
): Promise<OpenLaunchResult> {
  // A launch this process started and that already has its owner needs no store read: nothing
  // about it can have changed. An unowned one is read (and claimed) in the store.
  const held = deps.launchReads.inFlight(launchId);
  const launch = held?.launch.technicianUserId ? held.launch : await deps.launches.get(launchId);
  if (!launch) return { kind: 'not-found' };
  const now = deps.clock.now();
  // A launch this process still holds has not been submitted here (submitting forgets it); one
  // read from the store may have been, on any instance. Checked before the expiry, so an old
  // launch that ran leads to its execution, not to "expired".
  if (!held?.launch.technicianUserId) {
    const used = await deps.executions.findByLaunch(launch.id);
    if (used)
      return used.technicianUserId === technicianUserId ? { kind: 'used', launch, executionId: used.id } : { kind: 'forbidden', launch };
  }
  // Before the expiry: opening it again would not help, a new screen pop from the PSA in force would.
  if (launch.psaKind !== deps.psaKind) return { kind: 'psa-changed', launch };
  if (Date.parse(launch.expiresAt) <= now) return { kind: 'expired', launch };
  const owner = launch.technicianUserId ?? (await deps.launches.claim(launch.id, technicianUserId, new Date(now).toISOString()));
  if (held && owner) held.launch.technicianUserId = owner;
  if (owner !== technicianUserId) return { kind: 'forbidden', launch };

  const context = await waitForContext(deps, launch);
  if (!context) return { kind: 'psa-pending', launch };
  const failures: { read: PsaReadName; id: string; error: ReadFailure }[] = [];
  if (context.ticket && !context.ticket.ok) failures.push({ read: 'ticket', id: launch.ticketId ?? '', error: context.ticket.error });
  if (!context.company.ok) failures.push({ read: 'company', id: launch.companyId, error: context.company.error });
  if (!context.contact.ok) failures.push({ read: 'contact', id: launch.contactId, error: context.contact.error });
  if (failures.length > 0 || !context.company.ok || !context.contact.ok) return { kind: 'psa-failed', launch, failures };
  const ready: ReadyContext = {
    ticket: context.ticket?.ok ? context.ticket.value : null,
    company: context.company.value,
    contact: context.contact.value,
  };

  const directory = deps.directories.forCompany(launch.companyId);
  if (!directory) return { kind: 'no-directory', launch, context: ready };

  try {
    const match = await resolveDirectoryUser(directory.client, ready.contact);
    let selected: DirectoryUser | null = match.kind === 'one' ? match.user : null;
    if (choice.userId) selected = await directory.client.getUser(choice.userId);
    const query = choice.query?.trim();
    const search = query ? { query, results: await directory.client.searchUsers(query, { limit: 25 }) } : null;
    const registered = deps.forms?.get(launch.formName);
    const form = registered?.form;
    const formDirectory = registered ? await formDirectoryFor(registered, directory, selected ?? undefined) : null;
    if (registered && formDirectory && !formDirectory.offer.offered) {
      return { kind: 'not-offered', launch, context: ready, directory, label: registered.label, reason: formDirectory.offer.reason };
    }
    const formTarget = form?.createsUser ? (selected ?? NO_TARGET_USER) : selected;
    const rules = form?.createsUser ? undefined : registered?.workflow.accountRules;
    const [formData, accountNotices, places] = await Promise.all([
      formTarget && form ? loadFormData(form, directory.client, formTarget, directory.config.formDefaults[launch.formName]) : null,
      selected ? readAccountNotices(directory, selected, rules, deps.accountRoles) : [],
      // A form that creates its user has none yet: where each of its steps happens does not depend on one.
      registered && formDirectory && (selected || form?.createsUser)
        ? changePlaces(directory, registered.workflow.steps, formDirectory, selected?.id ?? '')
        : [],
    ]);
    return { kind: 'ready', launch, context: ready, directory, match, selected, search, formData, accountNotices, formDirectory, places };
  } catch (error) {
    if (!isToolboxError(error)) throw error;
    return { kind: 'directory-failed', launch, context: ready, directory, message: error.message, code: error.code };
  }
}
