import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autotaskHttpError } from './autotask-errors.js';
import { internalPublish, noteTypeFor, type PicklistEntry, publicPublish, statusByName } from './autotask-picklists.js';
import { formatAutotaskNote, NOTE_DESCRIPTION_MAX, NOTE_TITLE_MAX } from './format-autotask-note.js';

const entry = (value: number, label: string, extra: Partial<PicklistEntry> = {}): PicklistEntry => ({
  value,
  label,
  isDefault: false,
  isActive: true,
  sortOrder: value,
  ...extra,
});

describe('Autotask note text', () => {
  it('keeps the lines as lines, the first as the title', () => {
    assert.deepEqual(formatAutotaskNote(['', 'Password reset done.  ', 'Step 1:\tOK', '', 'Step 2: OK', '']), {
      title: 'Password reset done.',
      description: 'Password reset done.\nStep 1:\tOK\n\nStep 2: OK',
    });
  });

  it('splits embedded newlines, drops \\r and control characters', () => {
    assert.deepEqual(formatAutotaskNote(['a\r\nb', 'c\u0007d']), { title: 'a', description: 'a\nb\nc d' });
  });

  it('caps the title at 250 and the description at 32,000 characters, saying so', () => {
    const long = 'x'.repeat(40_000);
    const { title, description } = formatAutotaskNote([long]);
    assert.equal(title.length, NOTE_TITLE_MAX);
    assert.equal(description.length, NOTE_DESCRIPTION_MAX);
    assert.ok(description.endsWith(' … (truncated)'));
  });
});

describe('Autotask picklist choices', () => {
  it('publishes internally as "Internal Only", co-managed only when nothing else is internal', () => {
    const list = [entry(1, 'All Autotask Users', { isDefault: true }), entry(4, 'Internal & Co-managed'), entry(2, 'Internal Only')];
    assert.equal(internalPublish(list)?.value, 2);
    assert.equal(internalPublish([entry(1, 'All Autotask Users'), entry(4, 'Internal & Co-managed')])?.value, 4);
    assert.equal(internalPublish([entry(1, 'All Autotask Users'), entry(2, 'Internal Only', { isActive: false })]), undefined);
    assert.equal(publicPublish(list)?.value, 1);
  });

  it('picks an internal note type, else the default, else the first active', () => {
    assert.equal(noteTypeFor([entry(1, 'Task Notes', { isDefault: true }), entry(9, 'Internal Notes')], true)?.value, 9);
    assert.equal(noteTypeFor([entry(1, 'Task Notes'), entry(3, 'Summary', { isDefault: true })], true)?.value, 3);
    assert.equal(noteTypeFor([entry(5, 'Old', { isActive: false }), entry(7, 'Email')], true)?.value, 7);
    assert.equal(noteTypeFor([entry(1, 'Task Notes', { isDefault: true }), entry(9, 'Internal Notes')], false)?.value, 1);
  });

  it('finds a status by name, exact case first, active only', () => {
    const list = [entry(1, 'New'), entry(8, 'In Progress'), entry(9, 'in progress'), entry(12, 'Closed', { isActive: false })];
    assert.equal(statusByName(list, 'in progress')?.value, 9);
    assert.equal(statusByName(list, ' In Progress ')?.value, 8);
    assert.equal(statusByName(list, 'IN PROGRESS')?.value, 8);
    assert.equal(statusByName(list, 'Closed'), undefined);
  });
});

describe('Autotask error translation', () => {
  const context = { operation: 'POST /Tickets/{id}/Notes', action: 'add a note to ticket 1', timeoutMs: 8000, write: true };

  it('tells a validation 500 (nothing saved) from a server fault (maybe saved)', () => {
    const validation = autotaskHttpError(500, JSON.stringify({ errors: ['The field title is required.'] }), null, context);
    assert.deepEqual([validation.code, validation.retryable, validation.upstream?.status], ['TBX_ERR_PSA_BAD_REQUEST', false, 500]);
    assert.match(validation.message, /Autotask said: The field title is required\./);
    for (const body of ['', '<html>Server Error</html>', JSON.stringify({ errors: ['An unexpected error has occurred.'] })]) {
      const fault = autotaskHttpError(500, body, null, context);
      assert.deepEqual([fault.code, fault.retryable], ['TBX_ERR_PSA_UNAVAILABLE', true], body);
      assert.match(fault.message, /may or may not have been saved/);
    }
  });

  it('tells the thread limit from the hourly threshold', () => {
    const thread = autotaskHttpError(429, JSON.stringify({ errors: ['Thread Threshold Exceeded'] }), null, context);
    assert.match(thread.message, /too many ran at once/);
    const hourly = autotaskHttpError(429, JSON.stringify({ errors: ['The request threshold has been exceeded.'] }), '120', context);
    assert.match(hourly.message, /hourly request threshold .* Try again in 120 s/);
    assert.equal(hourly.retryable, true);
  });

  it('names a locked or inactive API user', () => {
    const locked = autotaskHttpError(500, JSON.stringify({ errors: ['The API user is locked.'] }), null, context);
    assert.equal(locked.code, 'TBX_ERR_PSA_AUTH');
    assert.match(locked.message, /locked or inactive/);
  });
});
