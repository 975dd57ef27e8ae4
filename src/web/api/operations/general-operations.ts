import { z } from 'zod';
import {
  executionRetentionDaysSchema,
  jobRetentionDaysSchema,
  launchRetentionDaysSchema,
  launchTtlMinutesSchema,
  psaTimeoutMsSchema,
  sessionTtlHoursSchema,
} from '../../../config/config-schema.js';
import { saveGeneralSettings } from '../../../domain/settings/save-general-settings.js';
import { defineOperation } from '../api-operation.js';

const settingSchema = z.object({ value: z.number(), source: z.enum(['file', 'console', 'default']) });

export const generalSettingsViewSchema = z.object({
  launchTtlMinutes: settingSchema.describe('How long a screen pop stays usable, in minutes'),
  psaTimeoutMs: settingSchema.describe('How long the form waits for the PSA reads, in milliseconds'),
  sessionTtlHours: settingSchema.describe('How long a sign-in lasts (extended while in use), in hours'),
  launchRetentionDays: settingSchema.describe('Days screen pops (launches, with the contact data they read) are kept'),
  jobRetentionDays: settingSchema.describe('Days finished background jobs are kept'),
  executionRetentionDays: settingSchema.describe('Days finished executions are kept; 0 keeps them for ever'),
  revision: z.string().nullable().describe('Send back as `revision` when saving'),
});

export const saveGeneralSettingsBodySchema = z.strictObject({
  launchTtlMinutes: launchTtlMinutesSchema.nullable().optional().describe('Minutes (1–1440); null for the default (30)'),
  psaTimeoutMs: psaTimeoutMsSchema.nullable().optional().describe('Milliseconds (500–120000); null for the default (10000)'),
  sessionTtlHours: sessionTtlHoursSchema.nullable().optional().describe('Hours (0.25–720); null for the default (12)'),
  launchRetentionDays: launchRetentionDaysSchema.nullable().optional().describe('Days (1–3650); null for the default (30)'),
  jobRetentionDays: jobRetentionDaysSchema.nullable().optional().describe('Days (1–3650); null for the default (7)'),
  executionRetentionDays: executionRetentionDaysSchema
    .nullable()
    .optional()
    .describe('Days (0–36500, 0 keeps them for ever); null for the default (0)'),
  revision: z.string().nullable().optional(),
});

export const getGeneralSettings = defineOperation({
  id: 'getGeneralSettings',
  method: 'get',
  path: '/api/admin/general',
  tag: 'General settings',
  summary: 'Screen-pop lifetime, PSA wait, sign-in lifetime and retention, with where each value comes from',
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
