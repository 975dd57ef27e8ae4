import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createLicenceCatalogue, LICENCE_NAMES_FILE, shippedLicenceCatalogue } from './licence-names.js';
import { licenceNamesFromCsv, licenceNamesToCsv, parseCsv } from './licensing-csv.js';

// The shape of Microsoft's file: BOM, one row per product × service plan, a quoted name with a comma.
const MICROSOFT_SAMPLE = [
  '\uFEFFProduct_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names',
  'Microsoft 365 Business Premium,SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,Exchange Online (Plan 1)',
  'Microsoft 365 Business Premium,SPB,CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46,MCOSTANDARD,0feaeb32-d00e-4d66-bd5a-43b5b83db82c,"Skype for Business Online (Plan 2)"',
  '"Dynamics 365 Field Service, Enterprise Edition - Resource Scheduling Optimization",CRM_AUTO_ROUTING_ADDON,977464c4-bfaf-4b67-b761-a9bb735a2196,CRM_AUTO_ROUTING_ADDON,2ba394e0-6f18-4b77-b45f-a5663bbab540,"RETIRED - Field Service, ""Automated"" Routing"',
  'Exchange Online (Plan 1),EXCHANGESTANDARD,4b9405b0-7788-4568-add1-99614e613b69,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,Exchange Online (Plan 1)',
  'Not a SKU row,NOPE,not-a-guid,X,Y,Z',
  '',
].join('\r\n');

describe('licensing CSV', () => {
  it('parses quoted fields, doubled quotes, line breaks inside quotes, CRLF and a BOM', () => {
    assert.deepEqual(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n"two\nlines",\n'), [
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['two\nlines', ''],
    ]);
    assert.throws(() => parseCsv('a,"b\n'), /inside a quoted field/);
  });

  it('keeps one name per SKU from Microsoft’s one-row-per-service-plan file', () => {
    assert.deepEqual(licenceNamesFromCsv(MICROSOFT_SAMPLE), [
      {
        skuId: '977464c4-bfaf-4b67-b761-a9bb735a2196',
        skuPartNumber: 'CRM_AUTO_ROUTING_ADDON',
        productName: 'Dynamics 365 Field Service, Enterprise Edition - Resource Scheduling Optimization',
      },
      { skuId: '4b9405b0-7788-4568-add1-99614e613b69', skuPartNumber: 'EXCHANGESTANDARD', productName: 'Exchange Online (Plan 1)' },
      { skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', skuPartNumber: 'SPB', productName: 'Microsoft 365 Business Premium' },
    ]);
  });

  it('reads back its own compact form, and refuses a file without the columns', () => {
    const names = licenceNamesFromCsv(MICROSOFT_SAMPLE);
    const compact = licenceNamesToCsv(names);
    assert.match(compact, /^GUID,String_Id,Product_Display_Name\n/);
    assert.match(compact, /,"Dynamics 365 Field Service, Enterprise Edition - Resource Scheduling Optimization"\n/);
    assert.deepEqual(licenceNamesFromCsv(compact), names);
    assert.throws(() => licenceNamesFromCsv('Name,Id\nx,y\n'), /no GUID column/);
  });
});

describe('licence catalogue', () => {
  const catalogue = createLicenceCatalogue(licenceNamesFromCsv(MICROSOFT_SAMPLE));

  it('names a licence by skuId, then by part number, and falls back to the part number', () => {
    assert.equal(
      catalogue.displayName({ skuId: 'CBDC14AB-d96c-4c30-b9f4-6ada7cdc1d46', skuPartNumber: 'SPB' }),
      'Microsoft 365 Business Premium',
    );
    assert.equal(
      catalogue.displayName({ skuId: '00000000-0000-4000-8000-000000000000', skuPartNumber: 'spb' }),
      'Microsoft 365 Business Premium',
    );
    assert.equal(
      catalogue.displayName({ skuId: '00000000-0000-4000-8000-000000000000', skuPartNumber: 'CONTOSO_CUSTOM' }),
      'CONTOSO_CUSTOM',
    );
    assert.equal(catalogue.productName({ skuPartNumber: 'CONTOSO_CUSTOM' }), undefined);
  });

  it('ships Microsoft’s table', () => {
    const shipped = shippedLicenceCatalogue();
    assert.ok(shipped.size > 500, `the shipped table has ${shipped.size} products`);
    assert.equal(
      shipped.displayName({ skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', skuPartNumber: 'SPB' }),
      'Microsoft 365 Business Premium',
    );
    assert.equal(readFileSync(LICENCE_NAMES_FILE, 'utf8').split('\n')[0], 'GUID,String_Id,Product_Display_Name');
  });
});
