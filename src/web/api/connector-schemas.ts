import { z } from 'zod';
import type { ConnectionField } from '../../connectors/connection-fields.js';

/** A connector's field list as the API shows it (the console renders its forms from the same list). */
export const connectionFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  help: z.string().optional(),
  secret: z.boolean().optional(),
  advanced: z.boolean().optional(),
  placeholder: z.string().optional(),
  type: z.enum(['text', 'url', 'number', 'multiline', 'select']).optional(),
  options: z
    .array(z.object({ value: z.string(), label: z.string() }))
    .optional()
    .describe('The choices of a `select` field; any other value is refused'),
  showWhen: z
    .object({ field: z.string(), values: z.array(z.string()).optional() })
    .optional()
    .describe(
      'Asked only when the named field has a value (any, or one of `values`); a value sent while the condition does not hold is dropped',
    ),
  group: z.string().optional(),
});

export const connectorListSchema = z
  .array(z.object({ kind: z.string(), label: z.string(), fields: z.array(connectionFieldSchema) }))
  .describe('The connectors this build has, with the settings each asks for');

/** The connectors of one registry (PSA or directory), for `connectorListSchema`. */
export function connectorList(registry: Record<string, { kind: string; label: string; fields: ConnectionField[] }>) {
  return Object.values(registry).map((connector) => ({ kind: connector.kind, label: connector.label, fields: connector.fields }));
}
