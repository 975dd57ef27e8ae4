import { checkLineState } from '../../connectors/systems-check.js';
import type { Logger } from '../../lib/logger.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import { readDirectoryChecks } from './directory-check-document.js';
import type { LiveSettings } from './live-settings.js';
import { readPsaMembers } from './psa-members-document.js';

/** done: it is; todo: it is not (yet); unverified: the toolbox cannot tell right now, and says why. */
export type SetupStepState = 'done' | 'todo' | 'unverified';

export type SetupStep = { key: string; title: string; href: string; state: SetupStepState; detail: string };

export type DescribeSetupDeps = {
  store: Pick<Store, 'settings' | 'users' | 'launches'>;
  settings: Pick<LiveSettings, 'current' | 'psa'>;
  forms: Record<string, unknown>;
  logger: Logger;
  /** How long the PSA may take to list its companies before the step says it could not tell. */
  timeoutMs?: number;
};

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The PSA's active companies, or why they could not be read within the time allowed. */
async function readCompanies(deps: DescribeSetupDeps): Promise<{ ids: string[] } | { problem: string }> {
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error('timeout'));
    }, timeoutMs);
  });
  try {
    const companies = await Promise.race([deps.settings.psa.listCompanies({ signal: controller.signal }), timeout]);
    return { ids: companies.map((company) => company.id) };
  } catch (error) {
    if (isToolboxError(error)) return { problem: error.message };
    if (error instanceof Error && error.message === 'timeout')
      return { problem: `the PSA did not list its companies within ${timeoutMs / 1000} s` };
    deps.logger.warn({ err: error }, 'the set-up overview could not read the PSA companies');
    return { problem: 'the PSA companies could not be read; the details are in the service log' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The set-up as a checklist that says only what is true: a step is done when it is done (every
 * active PSA company mapped, not one; every technician mapped; every directory checked without a
 * failure), "to do" otherwise, and "cannot tell" with the reason when the toolbox cannot check
 * it right now. Reads the PSA's company list (bounded in time); nothing else leaves the toolbox.
 */
export async function describeSetup(deps: DescribeSetupDeps): Promise<SetupStep[]> {
  const effective = deps.settings.current();
  const [users, members, checks, lastScreenPop] = await Promise.all([
    deps.store.users.list(),
    readPsaMembers(deps.store),
    readDirectoryChecks(deps.store),
    deps.store.launches.latestCreatedAt(),
  ]);
  const steps: SetupStep[] = [];

  steps.push({
    key: 'psa',
    title: 'Connect the PSA',
    href: '/admin/psa',
    state: effective.psa ? 'done' : 'todo',
    detail: effective.psa ? effective.psa.label : 'not connected',
  });

  const lastCheck = effective.psa && members?.doc.psaKind === effective.psa.kind ? members.doc.lastCheck : null;
  const psaCheckStates = lastCheck?.results.map((line) => checkLineState(line)) ?? [];
  const psaFailed = psaCheckStates.filter((state) => state === 'fail' || state === 'not-run').length;
  steps.push({
    key: 'psa-check',
    title: 'Check the PSA connection',
    href: '/admin/psa/check',
    state: lastCheck && psaFailed === 0 ? 'done' : 'todo',
    detail: !effective.psa
      ? 'connect the PSA first'
      : !lastCheck
        ? 'not run yet'
        : psaFailed > 0
          ? `the last check (${minute(lastCheck.ranAt)}) had ${plural(psaFailed, 'line', 'lines')} failed or not run`
          : `passed ${minute(lastCheck.ranAt)}`,
  });

  // Technicians write the ticket notes; administrators mostly set up, so mapping them is optional.
  const active = users.filter((user) => !user.disabled);
  const technicians = active.filter((user) => user.role !== 'admin');
  const admins = active.filter((user) => user.role === 'admin');
  const mappedTechnicians = technicians.filter((user) => effective.technicians[user.id]).length;
  const mappedAdmins = admins.filter((user) => effective.technicians[user.id]).length;
  steps.push({
    key: 'technicians',
    title: 'Map technicians to PSA members',
    href: '/admin/technicians',
    state: technicians.length > 0 && mappedTechnicians === technicians.length ? 'done' : 'todo',
    detail:
      `${mappedTechnicians} of ${plural(technicians.length, 'technician', 'technicians')} mapped` +
      (admins.length > 0 ? ` (administrators, optional: ${mappedAdmins} of ${admins.length})` : ''),
  });

  const directories = effective.directories;
  const unchecked = directories.filter((directory) => !checks.has(directory.id));
  const failing = directories.filter((directory) => checks.get(directory.id)?.ok === false);
  steps.push({
    key: 'directories',
    title: 'Add the customers’ directories and check them',
    href: '/admin/directories',
    state: directories.length > 0 && unchecked.length === 0 && failing.length === 0 ? 'done' : 'todo',
    detail:
      directories.length === 0
        ? 'no directory yet'
        : [
            plural(directories.length, 'directory', 'directories'),
            unchecked.length > 0 ? `not checked yet: ${unchecked.map((directory) => directory.name).join(', ')}` : '',
            failing.length > 0 ? `last check failed: ${failing.map((directory) => directory.name).join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
  });

  const mapped = new Set(effective.companyMappings.map((mapping) => mapping.companyId));
  if (!effective.psa) {
    steps.push({
      key: 'companies',
      title: 'Map PSA companies to directories',
      href: '/admin/companies',
      state: 'todo',
      detail: 'connect the PSA first',
    });
  } else {
    const companies = await readCompanies(deps);
    if ('problem' in companies) {
      steps.push({
        key: 'companies',
        title: 'Map PSA companies to directories',
        href: '/admin/companies',
        state: 'unverified',
        detail: `${plural(mapped.size, 'company', 'companies')} mapped; cannot tell whether any is left, because ${companies.problem}`,
      });
    } else {
      const unmapped = companies.ids.filter((id) => !mapped.has(id)).length;
      steps.push({
        key: 'companies',
        title: 'Map PSA companies to directories',
        href: '/admin/companies',
        state: companies.ids.length > 0 && unmapped === 0 ? 'done' : 'todo',
        detail:
          companies.ids.length === 0
            ? 'the PSA lists no active company'
            : `${companies.ids.length - unmapped} of ${plural(companies.ids.length, 'active company', 'active companies')} mapped` +
              (unmapped > 0 ? `; ${unmapped} not mapped (their screen pops find no directory)` : ''),
      });
    }
  }

  steps.push({
    key: 'forms',
    title: 'Enable forms',
    href: '/admin/forms',
    state: effective.forms.enabled.length > 0 ? 'done' : 'todo',
    detail: `${effective.forms.enabled.length} of ${Object.keys(deps.forms).length} enabled`,
  });

  // The toolbox cannot see 1Stream's settings; the first screen pop that arrives proves the URLs.
  const secret = effective.screenpop.secret ? 'webhook secret set' : 'no webhook secret (recommended)';
  steps.push({
    key: 'screenpop',
    title: 'Copy the screen-pop URLs into 1Stream',
    href: '/admin/screenpop',
    state: lastScreenPop ? 'done' : 'todo',
    detail: lastScreenPop ? `last screen pop received ${minute(lastScreenPop)}; ${secret}` : `no screen pop has arrived yet; ${secret}`,
  });
  return steps;
}
