import { z } from 'zod';
import { launchTtlMinutesSchema, psaTimeoutMsSchema, sessionTtlHoursSchema } from '../../../config/config-schema.js';
import { saveGeneralSettings } from '../../../domain/settings/save-general-settings.js';
import { defineOperation } from '../api-operation.js';

const settingSchema = z.object({ value: z.number(), source: z.enum(['file', 'console', 'default']) });

export const generalSettingsViewSchema = z.object({
  launchTtlMinutes: settingSchema.describe('How long a screen pop stays usable, in minutes'),
  psaTimeoutMs: settingSchema.describe('How long the form waits for the PSA reads, in milliseconds'),
  sessionTtlHours: settingSchema.describe('How long a sign-in lasts (extended while in use), in hours'),
  revision: z.string().nullable().describe('Send back as `revision` when saving'),
});

export const saveGeneralSettingsBodySchema = z.strictObject({
  launchTtlMinutes: launchTtlMinutesSchema.nullable().optional().describe('Minutes (1–1440); null for the default (30)'),
  psaTimeoutMs: psaTimeoutMsSchema.nullable().optional().describe('Milliseconds (500–120000); null for the default (10000)'),
  sessionTtlHours: sessionTtlHoursSchema.nullable().optional().describe('Hours (0.25–720); null for the default (12)'),
  revision: z.string().nullable().optional(),
});

export const getGeneralSettings = defineOperation({
  id: 'getGeneralSettings',
  method: 'get',
  path: '/api/admin/general',
  tag: 'General settings',
  summary: 'Screen-pop lifetime, PSA wait and sign-in lifetime, with where each value comes from',
  access: 'admin',
  response: generalSettingsViewSchema,
  async handler({ services }) {
    const { general } = services.settings.current();
    return general;
  },
});

export const saveGeneralSettingsOperation = defineOperation({
  id: 'saveGeneralSettings',
  method: 'put',
  path: '/api/admin/general',
  tag: 'General settings',
  summary: 'Change the general settings the configuration file leaves out',
  access: 'admin',
  body: saveGeneralSettingsBodySchema,
  response: z.object({ revision: z.string() }),
  async handler({ services, body, actor }) {
    return saveGeneralSettings(
      { config: services.config, store: services.store, settings: services.settings, clock: services.clock },
      body,
      actor,
    );
  },
});

export const generalOperations = [getGeneralSettings, saveGeneralSettingsOperation];
