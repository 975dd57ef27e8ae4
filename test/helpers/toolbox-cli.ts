import { execFile } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

export type CliRun = { status: number | null; stdout: string; stderr: string };

/**
 * Runs the real CLI (`npm run toolbox -- …` is `tsx src/cli/toolbox.ts …`) in a child process with
 * only the environment given (plus PATH). Asynchronous on purpose: simulators the test started
 * answer from this process's event loop.
 */
export function runToolboxCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/toolbox.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** One line of `toolbox check` as printed: its state word, name, message and "what to do". */
export type CliCheckLine = { state: string; name: string; message: string; hint?: string };

const LINE = /^ {2}(PASS|FAIL|NOT RUN|UNVERIFIABLE|WARN) +([^:]+): (.*)$/;
const HINT = /^ {8}what to do: (.*)$/;

/** The check lines of one section of `toolbox check`'s output (`PSA (autotask, file)`), in order. */
export function checkLines(stdout: string, section: string | RegExp): CliCheckLine[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => (typeof section === 'string' ? line.startsWith(section) : section.test(line)));
  if (start < 0) throw new Error(`no section ${String(section)} in:\n${stdout}`);
  const found: CliCheckLine[] = [];
  for (const line of lines.slice(start + 1)) {
    const check = LINE.exec(line);
    const hint = HINT.exec(line);
    if (check) found.push({ state: check[1] as string, name: check[2] as string, message: check[3] as string });
    else if (hint && found.length > 0) (found[found.length - 1] as CliCheckLine).hint = hint[1];
    else break;
  }
  return found;
}
