import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { DemoTenant, DemoUser } from '../../demo/demo-data.js';
import { addMember, exchangeMembershipRefusal, findGroup, groupKind, removeMember, type SimGroup } from './groups-store.js';
import { MAILBOX_CMDLETS, type MailboxTenant, runMailboxCmdlet } from './mailbox-store.js';

/**
 * Exchange Online's admin REST endpoint (`InvokeCommand`, reference §10) in the same simulator
 * as Graph, so both see one set of groups. It is undocumented by Microsoft; the shapes here follow
 * CIPP's `New-ExoRequest.ps1`. Cmdlet error texts are *unverified* approximations in Exchange's
 * `ExXXXXXX|Exception|Message` style.
 *
 * Rules enforced:
 * - a bearer token whose audience is the Exchange resource (`https://outlook.office365.com`, or
 *   the origin the request came in on, standing in for it); a Graph token is refused with 401;
 * - the tenant in the path is the token's tenant (id or verified domain);
 * - `X-AnchorMailbox` is present (400 otherwise);
 * - `Exchange.ManageAsApp` is in the token's roles (403 otherwise);
 * - `{"CmdletInput":{"CmdletName","Parameters"}}` as the body; unknown cmdlets answer 400;
 * - mailbox cmdlets (Get-Mailbox, Set-Mailbox, …: mailbox-store.ts) refuse unknown parameters with 400.
 */
export const EXCHANGE_AUDIENCE = 'https://outlook.office365.com';
export const EXCHANGE_MANAGE_AS_APP = 'Exchange.ManageAsApp';

export type ExchangeRequestRecord = {
  at: number;
  /** The tenant segment of the path, as sent. */
  tenant: string;
  cmdlet?: string;
  /** The cmdlet's parameters as received (they never carry secrets in the toolbox's calls). */
  parameters?: Record<string, unknown>;
  anchorMailbox?: string;
  /** The `aud` of the presented token, when the token was known. */
  tokenAudience?: string;
  status: number;
};

type ExchangeTenant = Pick<DemoTenant, 'tenantId' | 'key' | 'displayName' | 'verifiedDomains'> & {
  users: Pick<DemoUser, 'id' | 'userPrincipalName' | 'displayName' | 'mail'>[];
  groups: SimGroup[];
};

export type ExchangeRoutesContext = {
  now(): number;
  lookupToken(token: string): { tenantId: string; clientId: string; audience: string; expiresAt: number; roles: string[] } | undefined;
  /**
   * Whether the app holds an Exchange admin role in the tenant (app-only Exchange needs the
   * permission *and* a role). Default: yes (a tenant's own app is modelled as set up).
   */
  hasExchangeRole?(tenantId: string, clientId: string): boolean;
  findTenant(idOrDomain: string): ExchangeTenant | undefined;
  /** The tenant's users, groups and mailboxes for the mailbox cmdlets (mailbox-store.ts). */
  mailboxTenant(tenantId: string): MailboxTenant | undefined;
  records: ExchangeRequestRecord[];
};

const DEFAULT_PAGE_SIZE = 1000;

export function registerExchangeRoutes(app: Hono, ctx: ExchangeRoutesContext): void {
  app.post('/adminapi/beta/:tenant/InvokeCommand', async (c) => {
    const record: ExchangeRequestRecord = { at: ctx.now(), tenant: c.req.param('tenant'), status: 0 };
    const anchor = c.req.header('x-anchormailbox');
    if (anchor) record.anchorMailbox = anchor;
    ctx.records.push(record);
    const answer = (response: Response) => {
      record.status = response.status;
      return response;
    };

    const match = /^Bearer\s+(\S+)$/i.exec((c.req.header('authorization') ?? '').trim());
    if (!match) return answer(unauthorized(c, 'The request has no bearer token.'));
    const issued = ctx.lookupToken(match[1] as string);
    if (!issued) return answer(unauthorized(c, 'The access token is not valid.'));
    record.tokenAudience = issued.audience;
    if (issued.expiresAt <= ctx.now()) return answer(unauthorized(c, 'The access token has expired.'));
    const origin = new URL(c.req.url).origin;
    if (issued.audience !== EXCHANGE_AUDIENCE && issued.audience !== origin) {
      return answer(unauthorized(c, `The access token's audience '${issued.audience}' is not Exchange Online (${EXCHANGE_AUDIENCE}).`));
    }
    const tenant = ctx.findTenant(c.req.param('tenant'));
    if (!tenant || tenant.tenantId !== issued.tenantId) {
      return answer(unauthorized(c, 'The tenant in the request URL is not the tenant the access token was issued for.'));
    }
    if (!anchor) return answer(exchangeError(c, 400, 'BadRequest', 'The X-AnchorMailbox header is required.'));
    if (!issued.roles.includes(EXCHANGE_MANAGE_AS_APP) || ctx.hasExchangeRole?.(issued.tenantId, issued.clientId) === false) {
      return answer(
        exchangeError(
          c,
          403,
          'Forbidden',
          "The role assigned to application isn't supported in this scenario. Grant the Exchange.ManageAsApp permission and an Exchange admin role.",
        ),
      );
    }
    let input: { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } };
    try {
      input = JSON.parse(await c.req.text());
    } catch {
      return answer(exchangeError(c, 400, 'BadRequest', 'The request body is not valid JSON.'));
    }
    const cmdlet = input?.CmdletInput?.CmdletName;
    const parameters = input?.CmdletInput?.Parameters ?? {};
    if (typeof cmdlet !== 'string' || typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      return answer(exchangeError(c, 400, 'BadRequest', 'The request body must be {"CmdletInput":{"CmdletName":…,"Parameters":{…}}}.'));
    }
    record.cmdlet = cmdlet;
    record.parameters = structuredClone(parameters as Record<string, unknown>);
    const params = parameters as Record<string, unknown>;
    const pageSize = Number(/odata\.maxpagesize=(\d+)/i.exec(c.req.header('prefer') ?? '')?.[1] ?? DEFAULT_PAGE_SIZE);
    const skip = Number(new URL(c.req.url).searchParams.get('$skiptoken') ?? 0);

    switch (cmdlet) {
      case 'Get-OrganizationConfig':
        return answer(ok(c, [{ Name: tenant.verifiedDomains[0] ?? tenant.key, DisplayName: tenant.displayName, IsDehydrated: false }]));
      case 'Get-DistributionGroupMember': {
        const group = resolveGroup(c, tenant, params.Identity);
        if (group instanceof Response) return answer(group);
        const members = group.memberIds
          .map((id) => tenant.users.find((u) => u.id === id))
          .filter((u): u is ExchangeTenant['users'][number] => !!u)
          .map((u) => ({
            Name: u.displayName,
            DisplayName: u.displayName,
            PrimarySmtpAddress: u.mail ?? u.userPrincipalName,
            ExternalDirectoryObjectId: u.id,
            RecipientType: 'UserMailbox',
          }));
        const page = members.slice(skip, skip + pageSize);
        const next =
          skip + pageSize < members.length
            ? `${origin}/adminapi/beta/${encodeURIComponent(c.req.param('tenant'))}/InvokeCommand?$skiptoken=${skip + pageSize}`
            : undefined;
        return answer(ok(c, page, [], next));
      }
      case 'Add-DistributionGroupMember':
      case 'Remove-DistributionGroupMember': {
        const group = resolveGroup(c, tenant, params.Identity);
        if (group instanceof Response) return answer(group);
        if (typeof params.Member !== 'string' || !params.Member) {
          return answer(
            cmdletError(
              c,
              400,
              'ParameterBindingException',
              "Cannot validate argument on parameter 'Member'. The argument is null or empty.",
            ),
          );
        }
        const needle = params.Member.toLowerCase();
        const user = tenant.users.find(
          (u) => u.id === needle || u.userPrincipalName.toLowerCase() === needle || u.mail?.toLowerCase() === needle,
        );
        if (!user) return answer(notFound(c, params.Member));
        const refusal = exchangeMembershipRefusal(group);
        if (refusal) return answer(cmdletError(c, 400, 'OperationRequiresGroupManagerException', refusal));
        if (groupKind(group) === 'mailEnabledSecurity' && params.BypassSecurityGroupManagerCheck !== true) {
          return answer(
            cmdletError(
              c,
              403,
              'OperationRequiresGroupManagerException',
              "You don't have sufficient permissions. This operation can only be performed by a manager of the group.",
            ),
          );
        }
        if (cmdlet === 'Add-DistributionGroupMember') {
          if (!addMember(group, user.id)) {
            return answer(
              cmdletError(
                c,
                400,
                'MemberAlreadyExistsException',
                `The recipient "${user.userPrincipalName}" is already a member of the group "${group.displayName}".`,
              ),
            );
          }
        } else if (!removeMember(group, user.id)) {
          return answer(
            cmdletError(
              c,
              400,
              'MemberNotFoundException',
              `The recipient "${user.userPrincipalName}" isn't a member of the group "${group.displayName}".`,
            ),
          );
        }
        return answer(ok(c, []));
      }
      default: {
        const mailboxes = MAILBOX_CMDLETS.includes(cmdlet) ? ctx.mailboxTenant(tenant.tenantId) : undefined;
        if (mailboxes) {
          const result = runMailboxCmdlet(mailboxes, cmdlet, params);
          if ('error' in result) return answer(cmdletError(c, result.error.status, result.error.exception, result.error.text));
          return answer(ok(c, result.value, result.warnings ?? []));
        }
        return answer(
          exchangeError(
            c,
            400,
            'BadRequest',
            `The term '${cmdlet}' is not recognized as a name of a cmdlet available through this endpoint.`,
          ),
        );
      }
    }
  });
}

function resolveGroup(c: Context, tenant: ExchangeTenant, identity: unknown): SimGroup | Response {
  if (typeof identity !== 'string' || !identity) {
    return cmdletError(
      c,
      400,
      'ParameterBindingException',
      "Cannot validate argument on parameter 'Identity'. The argument is null or empty.",
    );
  }
  return findGroup(tenant.groups, identity, true) ?? notFound(c, identity);
}

function ok(c: Context, value: unknown[], warnings: string[] = [], nextLink?: string): Response {
  return c.json({
    '@odata.context': `${new URL(c.req.url).origin}/adminapi/beta/$metadata#Collection(Exchange.GenericHashTable)`,
    ...(warnings.length > 0 ? { '@adminapi.warnings': warnings } : {}),
    ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
    value,
  });
}

/** Exchange's error shape (reference §10): the useful text is in details[] and innererror. */
export function exchangeError(c: Context, status: number, code: string, message: string, detail = message): Response {
  const body = {
    error: {
      code,
      message,
      details: [{ code: 'Context', target: '', message: detail }],
      innererror: {
        message: detail,
        type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        internalException: { message: detail, type: 'Microsoft.Exchange.Management.Tasks.TaskException' },
      },
    },
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'request-id': c.req.header('client-request-id') ?? randomUUID() },
  });
}

function cmdletError(c: Context, status: number, exception: string, text: string): Response {
  const id = `Ex${randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`;
  return exchangeError(
    c,
    status,
    'InternalServerError',
    'Error executing cmdlet',
    `${id}|Microsoft.Exchange.Management.Tasks.${exception}|${text}`,
  );
}

function notFound(c: Context, identity: string): Response {
  return cmdletError(
    c,
    404,
    'ManagementObjectNotFoundException',
    `Couldn't find object "${identity}". Please make sure that it was spelled correctly or specify a different object.`,
  );
}

function unauthorized(c: Context, detail: string): Response {
  const response = exchangeError(c, 401, 'Unauthorized', 'Access is denied.', detail);
  response.headers.set(
    'WWW-Authenticate',
    `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="", token_types="app_asserted_user_v1 service_asserted_app_v1", error="invalid_token"`,
  );
  return response;
}
