import { z } from 'zod';
import { autoMapTechnicians } from '../../../domain/settings/auto-map-technicians.js';
import { matchMemberByEmail } from '../../../domain/settings/match-member-by-email.js';
import { readPsaMembersOf } from '../../../domain/settings/psa-members-document.js';
import { saveTechnicianMapping } from '../../../domain/settings/save-technician-mapping.js';
import { readTechnicianMappings } from '../../../domain/settings/technician-mappings-store.js';
import { defineOperation } from '../api-operation.js';

const mappingSchema = z.object({
  psaKind: z.string().describe('The PSA the member belongs to; a mapping of another PSA than `psaKind` (the one connected) is not used'),
  memberId: z.string(),
  identifier: z.string(),
  name: z.string(),
  source: z.enum(['auto', 'manual']).describe('auto: matched by email; manual: chosen by an admin (automatic matching leaves it)'),
});

export const techniciansViewSchema = z.object({
  revision: z.string().nullable().describe('Send back as `revision` when saving, to detect concurrent edits'),
  psaKind: z.string().nullable().describe('The PSA connected now; null when none'),
  membersPulledAt: z.string().nullable().describe('When the systems check last pulled the members of the PSA connected now; null if never'),
  members: z.array(
    z.object({ id: z.string(), identifier: z.string(), name: z.string(), email: z.string().optional(), inactive: z.boolean() }),
  ),
  technicians: z.array(
    z.object({
      userId: z.string(),
      email: z.string(),
      name: z.string(),
      role: z.string(),
      disabled: z.boolean(),
      mapping: mappingSchema.nullable(),
      clearedByAdmin: z.boolean().describe('An admin left this user unmapped; automatic matching skips them'),
      emailMatch: z
        .string()
        .nullable()
        .describe('For a user without a member: why matching by e-mail finds none; null when mapped or no members were pulled'),
    }),
  ),
});

export const listTechnicians = defineOperation({
  id: 'listTechnicianMappings',
  method: 'get',
  path: '/api/admin/technicians',
  tag: 'Technicians',
  summary: 'Toolbox users with the PSA member their ticket notes are attributed to, and the pulled members',
  access: 'admin',
  response: techniciansViewSchema,
  async handler({ services }) {
    const psaKind = services.settings.current().psa?.kind ?? null;
    const [users, pulled, { doc, revision }] = await Promise.all([
      services.store.users.list(),
      readPsaMembersOf(services.store, psaKind),
      readTechnicianMappings(services.store),
    ]);
    return {
      revision,
      psaKind,
      membersPulledAt: pulled?.doc.pulledAt ?? null,
      members: pulled?.doc.members ?? [],
      technicians: users.map((user) => ({
        userId: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        disabled: user.disabled,
        mapping: doc.mappings[user.id] ?? null,
        clearedByAdmin: doc.clearedByAdmin.includes(user.id),
        emailMatch: pulled && doc.mappings[user.id]?.psaKind !== psaKind ? matchMemberByEmail(user.email, pulled.doc.members).reason : null,
      })),
    };
  },
});

export const saveTechnicianMappingOperation = defineOperation({
  id: 'saveTechnicianMapping',
  method: 'put',
  path: '/api/admin/technicians/{userId}',
  tag: 'Technicians',
  summary: 'Choose the PSA member of a toolbox user (null clears it); a manual choice is never replaced by automatic matching',
  access: 'admin',
  params: z.object({ userId: z.string().min(1) }),
  body: z.strictObject({
    memberId: z
      .string()
      .min(1, 'must be a PSA member id, or null to clear')
      .nullable()
      .describe('Id of a member pulled by the systems check, or null to leave the user unmapped'),
    revision: z.string().nullable().optional().describe('The revision read; the save is refused (409) if it changed since'),
  }),
  response: z.object({ revision: z.string(), mapping: mappingSchema.nullable() }),
  async handler({ services, params, body, actor }) {
    return saveTechnicianMapping(
      { store: services.store, settings: services.settings, clock: services.clock },
      { userId: params.userId, memberId: body.memberId, revision: body.revision },
      actor,
    );
  },
});

export const autoMapTechniciansOperation = defineOperation({
  id: 'autoMapTechnicians',
  method: 'post',
  path: '/api/admin/technicians/auto-map',
  tag: 'Technicians',
  summary: 'Map toolbox users to pulled PSA members by email (case-insensitive); manual choices are kept',
  access: 'admin',
  response: z.object({
    mapped: z.array(z.object({ userId: z.string(), email: z.string(), memberIdentifier: z.string() })),
    unmapped: z.array(z.object({ userId: z.string(), email: z.string() })),
    keptManual: z.number().int(),
    unmatched: z.number().int(),
    notMatched: z
      .array(z.object({ userId: z.string(), email: z.string(), reason: z.string() }))
      .describe('Each user left unmapped, with why no member matched (e.g. no member has that e-mail, or the member is inactive)'),
  }),
  async handler({ services, actor }) {
    return autoMapTechnicians({ store: services.store, settings: services.settings, clock: services.clock }, actor);
  },
});

export const technicianOperations = [listTechnicians, saveTechnicianMappingOperation, autoMapTechniciansOperation];
