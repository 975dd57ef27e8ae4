import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepStatus } from '../store/types.js';
import { passwordResetWorkflow } from '../workflows/password-reset/password-reset-workflow.js';
import { userOffboardingWorkflow } from '../workflows/user-offboarding/user-offboarding-workflow.js';
import { overallStatus, type StatusStep } from './overall-status.js';

/**
 * The steps of a real workflow with these results by key (the rest skipped), the note last: the
 * kinds come from the workflow definition, as the engine takes them.
 */
function run(
  steps: { key: string; kind: 'check' | 'change' }[],
  results: Record<string, StepStatus | [StepStatus, boolean]>,
  note: StepStatus = 'ok',
): StatusStep[] {
  return [
    ...steps.map(({ key, kind }): StatusStep => {
      const result = results[key] ?? 'skipped';
      return Array.isArray(result) ? { kind, status: result[0], changed: result[1] } : { kind, status: result };
    }),
    { kind: 'bookkeeping', status: note },
  ];
}

describe('the overall status of a run', () => {
  const offboarding = userOffboardingWorkflow.steps;
  const reset = passwordResetWorkflow.steps;

  it('the workflows declare their account check and read-back as checks, the writes as changes', () => {
    assert.equal(reset.find((s) => s.key === 'check-account')?.kind, 'check');
    assert.equal(reset.find((s) => s.key === 'reset-password')?.kind, 'change');
    assert.equal(offboarding.find((s) => s.key === 'verify')?.kind, 'check');
    assert.equal(offboarding.find((s) => s.key === 'block-sign-in')?.kind, 'change');
  });

  it('offboarding with one change done and one failed is partial', () => {
    const steps = run(offboarding, { 'check-account': 'ok', 'block-sign-in': 'ok', 'revoke-sessions': 'failed', verify: 'ok' });
    assert.equal(overallStatus(steps), 'partial');
  });

  it('a refusal by the account check is failed, even though the note was written', () => {
    assert.equal(overallStatus(run(reset, { 'check-account': 'failed' })), 'failed');
  });

  it('a first write that fails is failed, though the check before it passed', () => {
    assert.equal(overallStatus(run(reset, { 'check-account': 'ok', 'reset-password': 'failed' })), 'failed');
  });

  it('a change that found nothing to do is not a change: with a failure after it, failed', () => {
    const steps = run(offboarding, { 'check-account': 'ok', 'block-sign-in': ['ok', false], 'revoke-sessions': 'failed' });
    assert.equal(overallStatus(steps), 'failed');
  });

  it('a step that failed after changing part of its work counts as a change', () => {
    const steps = run(offboarding, { 'check-account': 'ok', 'block-sign-in': ['failed', true] });
    assert.equal(overallStatus(steps), 'partial');
  });

  it('a warning that changed something counts as a change', () => {
    const steps = run(offboarding, { 'check-account': 'ok', 'block-sign-in': 'warning', 'revoke-sessions': 'failed' });
    assert.equal(overallStatus(steps), 'partial');
  });

  it('the ticket note is bookkeeping: it failing does not spoil a run, it succeeding does not rescue one', () => {
    assert.equal(
      overallStatus(run(reset, { 'check-account': 'ok', 'reset-password': 'ok', 'revoke-sessions': 'ok' }, 'failed')),
      'succeeded',
    );
    assert.equal(overallStatus(run(reset, { 'check-account': 'failed' }, 'ok')), 'failed');
  });

  it('no failure is succeeded, whether or not anything needed changing', () => {
    assert.equal(overallStatus(run(reset, { 'check-account': 'ok', 'reset-password': 'ok' })), 'succeeded');
    assert.equal(overallStatus(run(offboarding, { 'check-account': 'ok', 'block-sign-in': ['ok', false] })), 'succeeded');
  });

  it('a failed read-back after changes is partial: the changes were made, not confirmed', () => {
    const steps = run(offboarding, { 'check-account': 'ok', 'block-sign-in': 'ok', 'revoke-sessions': 'ok', verify: 'failed' });
    assert.equal(overallStatus(steps), 'partial');
  });
});
