import { type CheckLineState, type CheckOutcome, checkLineState } from '../../connectors/systems-check.js';

/**
 * How a systems-check line reads on a page: only a real pass is green; a line skipped after a
 * failure says "not run", one the toolbox cannot verify says so, neither ever reads as "fail".
 */
export const CHECK_STATE_WORDS: Record<CheckLineState, { word: string; className: string }> = {
  pass: { word: 'pass', className: 'status-succeeded' },
  fail: { word: 'fail', className: 'status-failed' },
  'not-run': { word: 'not run', className: 'status-not-run' },
  unverified: { word: 'not verifiable', className: 'status-unverified' },
  warning: { word: 'warning', className: 'status-partial' },
};

type Line = {
  name: string;
  ok: boolean;
  outcome?: CheckOutcome | undefined;
  message: string;
  hint?: string | undefined;
  upstreamCode?: string | undefined;
};

/** One line: its state, what happened, what to do (for anything but a pass) and the upstream's code. */
export function CheckLineItem(props: { line: Line; codeLabel: string }) {
  const { line } = props;
  const state = checkLineState(line);
  const words = CHECK_STATE_WORDS[state];
  return (
    <li class={words.className}>
      <span class="badge">{words.word}</span> <strong>{line.name}</strong>
      <p class="step-message">{line.message}</p>
      {line.hint ? <p class="hint">{state === 'pass' ? `Note: ${line.hint}` : `What to do: ${line.hint}`}</p> : null}
      {line.upstreamCode ? (
        <p class="muted">
          {props.codeLabel}: {line.upstreamCode}
        </p>
      ) : null}
    </li>
  );
}
