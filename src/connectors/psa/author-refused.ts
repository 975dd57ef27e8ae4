import { ToolboxError } from '../../lib/toolbox-error.js';

/**
 * The code of a ticket note the PSA refused while it named an author (`PsaNote.author`), in a way
 * that proves nothing was saved. The toolbox keys on this code alone to write the note once more
 * without the author, whatever status the PSA used to refuse it: ConnectWise and HaloPSA answer
 * 400, Autotask a 500 carrying its validation errors.
 */
export const PSA_AUTHOR_REFUSED = 'TBX_ERR_PSA_AUTHOR_REFUSED';

/**
 * The same refusal, marked as one the note's author may have caused: the message and the PSA's
 * answer (`upstream`, for the log) are kept. A connector uses it only for an answer that proves
 * the note was not saved, never for a timeout or a failure that may have landed.
 */
export function authorRefused(error: ToolboxError): ToolboxError {
  return new ToolboxError({
    code: PSA_AUTHOR_REFUSED,
    message: error.message,
    httpStatus: error.httpStatus,
    upstream: error.upstream,
    retryable: false,
    cause: error,
  });
}

/**
 * The author's id as the connector's own check (`requireId`) returns it; an id the check refuses
 * is an author refusal too: nothing was sent, so the note can go without it.
 */
export function checkedAuthorId(check: () => string): string {
  try {
    return check();
  } catch (error) {
    throw error instanceof ToolboxError ? authorRefused(error) : error;
  }
}
