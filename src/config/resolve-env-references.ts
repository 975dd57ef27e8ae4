/**
 * Replaces every string value of the form `env:NAME` with the value of that environment variable,
 * so secrets can stay out of the configuration file. Returns the problems instead of throwing so
 * that the loader can report all of them at once.
 */
export type EnvReferenceProblem = { path: string; message: string };

const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

export function resolveEnvReferences(
  value: unknown,
  env: Record<string, string | undefined>,
  path = '',
  problems: EnvReferenceProblem[] = [],
): { value: unknown; problems: EnvReferenceProblem[] } {
  if (typeof value === 'string') {
    const match = ENV_REFERENCE.exec(value);
    if (!match) return { value, problems };
    const name = match[1] as string;
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      problems.push({
        path,
        message: `refers to the environment variable ${name}, which is not set. Set it, or put the value in the file.`,
      });
      return { value: undefined, problems };
    }
    return { value: resolved, problems };
  }
  if (Array.isArray(value)) {
    return { value: value.map((item, index) => resolveEnvReferences(item, env, `${path}[${index}]`, problems).value), problems };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = resolveEnvReferences(item, env, path ? `${path}.${key}` : key, problems).value;
    }
    return { value: out, problems };
  }
  return { value, problems };
}
