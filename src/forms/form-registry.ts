import type { z } from 'zod';
import type { Workflow } from '../workflows/types.js';
import type { FormDefinition, RegisteredForm } from './types.js';

/**
 * The forms a toolbox has, in the order lists show them, and every view of them the rest of the
 * toolbox needs: each derived from the one definition per form, so a form registered here is
 * listed, enabled, opened and run with no other edit.
 */
export type FormRegistry = {
  /** Every form, in list order. */
  list: readonly RegisteredForm[];
  names: readonly string[];
  get(name: string): RegisteredForm | undefined;
  /** The form's list label ("Password Reset"), or the name itself for a form this build no longer has. */
  labelOf(name: string): string;
  /** By name: the forms, their workflows, and the schemas of the per-customer defaults that take any. */
  forms: Readonly<Record<string, FormDefinition<unknown>>>;
  workflows: Readonly<Record<string, Workflow<never>>>;
  defaultsSchemas: Readonly<Record<string, z.ZodType<unknown>>>;
};

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

export function createFormRegistry(list: readonly RegisteredForm[]): FormRegistry {
  const byName = new Map<string, RegisteredForm>();
  for (const form of list) {
    // A bad or repeated name would make two screen-pop URLs the same, or one unusable: refused at start.
    if (!NAME.test(form.name)) throw new Error(`Form name "${form.name}" must be lower case letters, digits and underscores.`);
    if (byName.has(form.name)) throw new Error(`Two forms are registered as "${form.name}".`);
    byName.set(form.name, form);
  }
  // No prototype: a form name from a URL ("constructor") finds nothing rather than Object's own members.
  const entries = <T>(pick: (form: RegisteredForm) => T | undefined): Readonly<Record<string, T>> =>
    Object.freeze(
      Object.assign(
        Object.create(null) as Record<string, T>,
        Object.fromEntries(list.flatMap((form) => (pick(form) === undefined ? [] : [[form.name, pick(form) as T]]))),
      ),
    );
  return {
    list: Object.freeze([...list]),
    names: Object.freeze(list.map((form) => form.name)),
    get: (name) => byName.get(name),
    labelOf: (name) => byName.get(name)?.label ?? name,
    forms: entries((form) => form.form),
    workflows: entries((form) => form.workflow),
    defaultsSchemas: entries((form) => form.form.defaultsSchema),
  };
}
