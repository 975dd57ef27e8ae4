import type { PsaMember } from '../../connectors/psa/types.js';
import { checkLineState, type SystemsCheckResult } from '../../connectors/systems-check.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import { type AutoMapResult, autoMapTechnicians } from './auto-map-technicians.js';
import { type LiveSettings, PSA_NOT_CONFIGURED } from './live-settings.js';
import { PSA_MEMBERS_KEY, type PsaMembersDocument, readPsaMembers } from './psa-members-document.js';
import { type Actor, writeSettings } from './write-settings.js';

export type RunPsaSystemsCheckDeps = {
  store: Pick<Store, 'settings' | 'users'>;
  settings: Pick<LiveSettings, 'refresh' | 'current' | 'psa'>;
  clock: Clock;
  logger: Logger;
};

export type PsaSystemsCheckOutcome = {
  check: PsaMembersDocument['lastCheck'];
  members: { count: number; active: number; pulledAt: string | null; pullError: string | null };
  autoMap: AutoMapResult | null;
};

/**
 * Runs the PSA's systems check on the connection in force, pulls the PSA members for the
 * technician mapping, stores both (audited as `psa.check`) and maps users to members by email.
 * A failed member pull keeps the members pulled before, so one bad run does not empty the mapping.
 */
export async function runPsaSystemsCheck(deps: RunPsaSystemsCheckDeps, actor: Actor): Promise<PsaSystemsCheckOutcome> {
  const psa = deps.settings.current().psa;
  if (!psa) throw PSA_NOT_CONFIGURED();
  const results: SystemsCheckResult[] = await deps.settings.psa.systemsCheck();
  const ranAt = new Date(deps.clock.now()).toISOString();

  let pulled: PsaMember[] | undefined;
  let pullError: string | null = null;
  try {
    pulled = await deps.settings.psa.listMembers();
  } catch (error) {
    pullError = isToolboxError(error) ? error.message : 'The members could not be read; the details are in the service log.';
    deps.logger.warn({ err: isToolboxError(error) ? error.toLog() : error }, 'PSA members could not be pulled');
  }

  const previous = await readPsaMembers(deps.store);
  const samePsa = previous?.doc.psaKind === psa.kind;
  const doc: PsaMembersDocument = {
    psaKind: psa.kind,
    pulledAt: pulled ? ranAt : samePsa ? previous.doc.pulledAt : null,
    members: pulled
      ? pulled.map((member) => ({
          id: member.id,
          identifier: member.identifier,
          name: member.name,
          ...(member.email ? { email: member.email } : {}),
          inactive: member.inactive,
        }))
      : samePsa
        ? previous.doc.members
        : [],
    pullError,
    lastCheck: { ranAt, ranBy: actor.email, results },
  };
  const summary = (value: PsaMembersDocument) => ({
    members: value.members.length,
    pulledAt: value.pulledAt,
    checks: value.lastCheck.results.map((line) => `${checkLineState(line)}: ${line.name}`),
  });
  await writeSettings(deps, {
    key: PSA_MEMBERS_KEY,
    value: doc,
    action: 'psa.check',
    before: previous ? summary(previous.doc) : null,
    after: summary(doc),
    actor,
  });

  const autoMap = doc.members.length > 0 ? await autoMapTechnicians(deps, actor) : null;
  return {
    check: doc.lastCheck,
    members: {
      count: doc.members.length,
      active: doc.members.filter((member) => !member.inactive).length,
      pulledAt: doc.pulledAt,
      pullError,
    },
    autoMap,
  };
}
