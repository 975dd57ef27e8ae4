import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DirectoryDomains, suggestCompanyMappings } from './suggest-company-mappings.js';

const contoso: DirectoryDomains = { id: 'contoso', name: 'Contoso', verifiedDomains: ['Contoso.com', 'contoso.onmicrosoft.com'] };
const fabrikam: DirectoryDomains = { id: 'fabrikam', name: 'Fabrikam', verifiedDomains: ['fabrikam.com'] };
const company = (id: string) => ({ id, name: `Company ${id}` });

function suggest(domains: Record<string, number>, directories = [contoso, fabrikam]) {
  const contactsWithEmail = Object.values(domains).reduce((sum, count) => sum + count, 0);
  const [suggestion] = suggestCompanyMappings({
    companies: [company('1')],
    emailDomains: { '1': { contactsWithEmail, domains } },
    directories,
  });
  assert.ok(suggestion);
  return suggestion;
}

describe('suggestCompanyMappings', () => {
  it('suggests the directory that verifies every contact’s domain, saying why (domains compared without case)', () => {
    assert.deepEqual(suggest({ 'contoso.com': 3 }), {
      companyId: '1',
      directoryId: 'contoso',
      directoryName: 'Contoso',
      reason: '3 of 3 contacts use contoso.com, a verified domain of Contoso.',
    });
  });

  it('counts contacts over all of a directory’s domains, and ignores domains nobody verified', () => {
    const suggestion = suggest({ 'contoso.com': 2, 'contoso.onmicrosoft.com': 1, 'gmail.com': 4 });
    assert.equal(suggestion.directoryId, 'contoso');
    assert.equal(suggestion.reason, '3 of 7 contacts use contoso.com and contoso.onmicrosoft.com, verified domains of Contoso.');
  });

  it('picks the directory covering the most contacts', () => {
    const suggestion = suggest({ 'contoso.com': 1, 'fabrikam.com': 2 });
    assert.equal(suggestion.directoryId, 'fabrikam');
    assert.equal(suggestion.reason, '2 of 3 contacts use fabrikam.com, a verified domain of Fabrikam.');
  });

  it('makes no suggestion on a tie, naming the tied directories', () => {
    const suggestion = suggest({ 'contoso.com': 2, 'fabrikam.com': 2 });
    assert.equal(suggestion.directoryId, null);
    assert.equal(suggestion.reason, 'Tie: Contoso and Fabrikam each have the domain of 2 of 4 contacts verified; choose by hand.');
  });

  it('makes no suggestion when one domain is verified in two directories', () => {
    const twin: DirectoryDomains = { id: 'twin', name: 'Twin', verifiedDomains: ['contoso.com'] };
    const suggestion = suggest({ 'contoso.com': 3 }, [contoso, twin]);
    assert.equal(suggestion.directoryId, null);
    assert.match(suggestion.reason, /^Tie: Contoso and Twin/);
  });

  it('makes no suggestion when no directory verifies the domains, or there are no addresses', () => {
    assert.deepEqual(suggest({ 'gmail.com': 1 }), {
      companyId: '1',
      directoryId: null,
      directoryName: null,
      reason: 'Its 1 contact uses gmail.com, which is not a verified domain of any directory.',
    });
    assert.equal(
      suggest({ 'gmail.com': 1, 'outlook.com': 2 }).reason,
      'Its 3 contacts use gmail.com and outlook.com, none of which is a verified domain of any directory.',
    );
    const [none] = suggestCompanyMappings({ companies: [company('2')], emailDomains: {}, directories: [contoso] });
    assert.equal(none?.directoryId, null);
    assert.equal(none?.reason, 'No active contact of this company has an e-mail address.');
  });

  it('answers for every company, in order, and is not fooled by an id like __proto__', () => {
    const suggestions = suggestCompanyMappings({
      companies: [company('__proto__'), company('7')],
      emailDomains: { '7': { contactsWithEmail: 1, domains: { 'fabrikam.com': 1 } } },
      directories: [contoso, fabrikam],
    });
    assert.deepEqual(
      suggestions.map((s) => [s.companyId, s.directoryId]),
      [
        ['__proto__', null],
        ['7', 'fabrikam'],
      ],
    );
    assert.equal(suggestions[1]?.reason, '1 of 1 contact uses fabrikam.com, a verified domain of Fabrikam.');
  });
});
