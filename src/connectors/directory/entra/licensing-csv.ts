/**
 * Microsoft's "Product names and service plan identifiers for licensing" CSV, reduced to what the
 * toolbox shows: one product name per licence (SKU). Microsoft's file has one row per product ×
 * service plan, a UTF-8 byte-order mark, and quoted fields where a name holds a comma
 * ("Dynamics 365 Field Service, Enterprise Edition - …"). Its `GUID` is Graph's `skuId`, its
 * `String_Id` Graph's `skuPartNumber`.
 */
export type LicenceName = { skuId: string; skuPartNumber: string; productName: string };

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    // A blank line (or the final newline) is not a record.
    if (record.length > 1 || record[0] !== '') records.push(record);
    record = [];
  };
  while (i < input.length) {
    const ch = input[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') endRecord();
    else if (ch === '\r') {
      if (input[i + 1] !== '\n') endRecord();
    } else field += ch;
    i++;
  }
  if (quoted) throw new Error('The CSV ends inside a quoted field.');
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One name per SKU from Microsoft's file (or from the compact form this module writes, which has
 * the same three column names). Duplicate rows of a SKU (one per service plan) collapse into one;
 * rows whose GUID is not a GUID are skipped. Sorted by product name, so a refresh diffs cleanly.
 */
export function licenceNamesFromCsv(text: string): LicenceName[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error('The CSV is empty.');
  const column = (name: string) => {
    const index = header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());
    if (index < 0) throw new Error(`The CSV has no ${name} column (columns: ${header.join(', ')}).`);
    return index;
  };
  const guid = column('GUID');
  const part = column('String_Id');
  const product = column('Product_Display_Name');
  const bySku = new Map<string, LicenceName>();
  for (const row of rows) {
    const skuId = (row[guid] ?? '').trim().toLowerCase();
    const skuPartNumber = (row[part] ?? '').trim();
    const productName = (row[product] ?? '').trim().replace(/\s+/g, ' ');
    if (!GUID.test(skuId) || !skuPartNumber || !productName) continue;
    if (!bySku.has(skuId)) bySku.set(skuId, { skuId, skuPartNumber, productName });
  }
  return [...bySku.values()].sort((a, b) => a.productName.localeCompare(b.productName, 'en') || a.skuId.localeCompare(b.skuId));
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** The compact file the toolbox ships: `GUID,String_Id,Product_Display_Name`, one row per SKU. */
export function licenceNamesToCsv(names: LicenceName[]): string {
  const lines = ['GUID,String_Id,Product_Display_Name'];
  for (const name of names) lines.push([name.skuId, name.skuPartNumber, name.productName].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
