import type { PsaCompany, PsaCompanyEmailDomains } from '../../connectors/psa/types.js';
import { splitHybridPairId } from '../../engine/directory-registry.js';
import type { Logger } from '../../lib/logger.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { LiveSettings, SettingSource } from './live-settings.js';
import { type DirectoryDomains, suggestCompanyMappings } from './suggest-company-mappings.js';

export type CompanyMappingsOverview = {
  psaConfigured: boolean;
  /** `onPremises`: an AD directory, offered as the second directory of a hybrid company. */
  directories: { id: string; name: string; source: SettingSource; onPremises: boolean }[];
  /** Send back when saving, so two admins cannot overwrite each other unknowingly. */
  revision: string | null;
  mappings: {
    companyId: string;
    /** Null when the PSA could not be read, or no longer lists the company. */
    companyName: string | null;
    identifier: string | null;
    directoryId: string;
    directoryName: string;
    source: SettingSource;
  }[];
  /**
   * Mappings saved while another PSA was connected: their company ids belong to that PSA, so they
   * are not applied (they apply again if it is connected again).
   */
  otherPsaMappings: { psaKind: string; psaLabel: string; companyId: string; directoryId: string; directoryName: string }[];
  unmapped: {
    companyId: string;
    companyName: string;
    identifier: string | null;
    suggestion: { directoryId: string; directoryName: string; reason: string } | null;
    /** Why there is no suggestion (null when there is one). */
    noSuggestionReason: string | null;
  }[];
  /** Reads that failed or took too long, in words; the rest of the page still works. */
  problems: string[];
};

export type LoadCompanyMappingsDeps = {
  settings: Pick<LiveSettings, 'current' | 'psa' | 'directories'>;
  /** A PSA kind's label, for mappings of another PSA than the one connected. */
  psaLabel?: (kind: string) => string;
  logger: Logger;
  /** How long the PSA and each directory may take; the page is shown without them after that. */
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 20_000;

class TookTooLong extends Error {}

/** Rejects with TookTooLong after `ms`; the timer never outlives the race. */
async function within<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new TookTooLong());
      reject(new TookTooLong());
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function loadCompanyMappings(deps: LoadCompanyMappingsDeps): Promise<CompanyMappingsOverview> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const effective = deps.settings.current();
  const problems: string[] = [];
  const describe = (what: string, error: unknown): string => {
    if (error instanceof TookTooLong) {
      const limit = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} seconds` : `${timeoutMs} ms`;
      return `${what} took longer than ${limit}, so it was stopped; try again later.`;
    }
    if (isToolboxError(error)) {
      const upstream = error.upstream;
      // The upstream's own status and code help match our log with the vendor's; said once only.
      const code = upstream ? [upstream.service, upstream.status, upstream.code].filter(Boolean).join(' ') : '';
      const said = code !== '' && !(upstream?.code && error.message.includes(upstream.code)) ? ` (${code})` : '';
      return `${what} failed: ${error.message}${said}`;
    }
    deps.logger.error({ err: error }, `${what} failed`);
    return `${what} failed unexpectedly; the details are in the service log.`;
  };

  const directories = effective.directories.map((directory) => ({
    id: directory.id,
    name: directory.name,
    source: directory.view.source,
    onPremises: directory.onPremises,
  }));
  const oneName = (id: string) => directories.find((directory) => directory.id === id)?.name ?? id;
  // A hybrid pair reads as both names: "Fabrikam Logistics + Fabrikam AD".
  const directoryName = (id: string) => {
    const pair = splitHybridPairId(id);
    return pair ? `${oneName(pair.cloudId)} + ${oneName(pair.onPremisesId)}` : oneName(id);
  };
  const mapped = new Set(effective.companyMappings.map((mapping) => mapping.companyId));

  let companies: PsaCompany[] = [];
  if (effective.psa) {
    try {
      companies = await within(timeoutMs, (signal) => deps.settings.psa.listCompanies({ signal }));
    } catch (error) {
      problems.push(describe(`Reading the companies from ${effective.psa.label}`, error));
    }
  }
  const byId = new Map(companies.map((company) => [company.id, company]));
  const unmappedCompanies = companies.filter((company) => !mapped.has(company.id));

  // Contacts' domains and every directory's verified domains, read side by side.
  let emailDomains: Record<string, PsaCompanyEmailDomains> = {};
  let contactsUnread = false;
  const directoryDomains: DirectoryDomains[] = [];
  // A PSA that cannot list its contacts' addresses (an optional capability) gives no suggestions.
  const listContactEmailDomains = deps.settings.psa.listContactEmailDomains;
  const noDomainsFromPsa = effective.psa !== null && !listContactEmailDomains;
  if (effective.psa && listContactEmailDomains && unmappedCompanies.length > 0 && directories.length > 0) {
    const contactsRead = within(timeoutMs, (signal) =>
      listContactEmailDomains(
        unmappedCompanies.map((company) => company.id),
        { signal },
      ),
    ).then(
      (value) => {
        emailDomains = value;
      },
      (error: unknown) => {
        contactsUnread = true;
        problems.push(describe(`Reading the contacts' e-mail addresses from ${effective.psa?.label ?? 'the PSA'}`, error));
      },
    );
    // Only directories that have domains can be suggested by them.
    const domainReads = deps.settings.directories.all().flatMap((entry) => {
      const domains = entry.client.domains;
      if (!domains) return [];
      return within(timeoutMs, () => domains.listVerifiedDomains()).then(
        (domains) => {
          directoryDomains.push({ id: entry.config.id, name: entry.config.name, verifiedDomains: domains.map((domain) => domain.name) });
        },
        (error: unknown) => {
          problems.push(`${describe(`Reading the verified domains of ${entry.config.name}`, error)} No suggestions point to it for now.`);
        },
      );
    });
    await Promise.all([contactsRead, ...domainReads]);
  }

  const suggestions = new Map(
    suggestCompanyMappings({ companies: unmappedCompanies, emailDomains, directories: directoryDomains }).map((s) => [s.companyId, s]),
  );
  const noSuggestionBecause = (companyId: string): string => {
    if (directories.length === 0) return 'No directory is set up yet.';
    if (noDomainsFromPsa)
      return `${effective.psa?.label ?? 'The PSA'} does not give its contacts' e-mail addresses, so there is no suggestion.`;
    if (contactsUnread) return 'The contacts could not be read, so there is no suggestion (see the problems listed).';
    return suggestions.get(companyId)?.reason ?? 'No suggestion.';
  };

  const byName = (a: { name: string; id: string }, b: { name: string; id: string }) =>
    a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id);

  return {
    psaConfigured: effective.psa !== null,
    directories,
    revision: effective.companyMappingsRevision,
    mappings: effective.companyMappings
      .map((mapping) => {
        const company = byId.get(mapping.companyId);
        return {
          companyId: mapping.companyId,
          companyName: company?.name ?? null,
          identifier: company?.identifier ?? null,
          directoryId: mapping.directoryId,
          directoryName: directoryName(mapping.directoryId),
          source: mapping.source,
        };
      })
      .sort((a, b) =>
        byName({ name: a.companyName ?? a.companyId, id: a.companyId }, { name: b.companyName ?? b.companyId, id: b.companyId }),
      ),
    otherPsaMappings: effective.otherPsaCompanyMappings.map((mapping) => ({
      psaKind: mapping.psaKind,
      psaLabel: deps.psaLabel?.(mapping.psaKind) ?? mapping.psaKind,
      companyId: mapping.companyId,
      directoryId: mapping.directoryId,
      directoryName: directoryName(mapping.directoryId),
    })),
    unmapped: [...unmappedCompanies].sort(byName).map((company) => {
      const suggestion = suggestions.get(company.id);
      const { directoryId, directoryName: suggestedName } = suggestion ?? {};
      const found =
        suggestion && directoryId && suggestedName ? { directoryId, directoryName: suggestedName, reason: suggestion.reason } : null;
      return {
        companyId: company.id,
        companyName: company.name,
        identifier: company.identifier ?? null,
        suggestion: found,
        noSuggestionReason: found ? null : noSuggestionBecause(company.id),
      };
    }),
    problems,
  };
}
