/**
 * TEST HOOK for the crash suite (test/crash/, `npm run test:crash`; docs/architecture.md). Inert
 * unless the environment variable TOOLBOX_CRASH_AT names a point: the process then kills itself
 * with SIGKILL the first time it reaches that point, exactly as `kill -9` would, so the suite can
 * stop it at chosen moments (before and after an upstream write, after the note is sent and
 * before it is recorded, during a submit). Never set it in production.
 *
 * Points: `submit:after-create`, `step:<step key>:before` (recorded running, nothing sent yet),
 * `step:<step key>:after` (the step's writes are done, its outcome not recorded), `note:after-send`.
 */
const target = process.env.TOOLBOX_CRASH_AT || undefined;

export function crashPoint(name: string): void {
  if (target !== undefined && target === name) process.kill(process.pid, 'SIGKILL');
}
