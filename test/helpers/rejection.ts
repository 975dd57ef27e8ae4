import assert from 'node:assert/strict';
import { isToolboxError, type ToolboxError } from '../../src/lib/toolbox-error.js';

/** Awaits a promise that must reject with a ToolboxError, and returns the error for inspection. */
export async function rejection(promise: Promise<unknown>): Promise<ToolboxError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isToolboxError(error), `expected a ToolboxError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}
