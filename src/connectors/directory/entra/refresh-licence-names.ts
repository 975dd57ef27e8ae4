import { readFile, rename, writeFile } from 'node:fs/promises';
import type { FetchLike } from '../../../lib/http-fetch.js';
import { LICENCE_NAMES_FILE } from './licence-names.js';
import { licenceNamesFromCsv, licenceNamesToCsv } from './licensing-csv.js';

/**
 * Microsoft's download link for "Product names and service plan identifiers for licensing", as
 * linked from that Microsoft Learn page (licensing-service-plan-reference). Microsoft has kept it
 * stable for years, but if it moves, pass the new one with --from.
 */
export const MICROSOFT_LICENSING_CSV_URL =
  'https://download.microsoft.com/download/e/3/e/e3e9faf2-f28b-490a-9ada-c6089a1fc5b0/Product%20names%20and%20service%20plan%20identifiers%20for%20licensing.csv';

export type RefreshLicenceNamesResult = { products: number; previous: number; to: string };

/**
 * Replaces the shipped product-name table with a newer edition of Microsoft's CSV, read from a
 * file or downloaded. The new file is checked (it must have Microsoft's columns and at least one
 * product) before the old one is replaced, so a proxy's HTML error page cannot empty the table.
 */
export async function refreshLicenceNames(
  deps: { fetch: FetchLike },
  options: { from?: string; to?: string } = {},
): Promise<RefreshLicenceNamesResult> {
  const from = options.from ?? MICROSOFT_LICENSING_CSV_URL;
  const to = options.to ?? LICENCE_NAMES_FILE;
  let text: string;
  if (/^https?:\/\//i.test(from)) {
    const response = await deps.fetch(from, { headers: { accept: 'text/csv, */*' } });
    if (!response.ok) throw new Error(`${from} answered ${response.status} ${response.statusText}.`);
    text = await response.text();
  } else {
    text = await readFile(from, 'utf8');
  }
  let names: ReturnType<typeof licenceNamesFromCsv>;
  try {
    names = licenceNamesFromCsv(text);
  } catch (error) {
    throw new Error(`${from} is not Microsoft's licensing CSV: ${(error as Error).message}`);
  }
  if (names.length === 0) throw new Error(`${from} lists no licences (no row has a GUID, a String_Id and a Product_Display_Name).`);
  let previous = 0;
  try {
    previous = licenceNamesFromCsv(await readFile(to, 'utf8')).length;
  } catch {
    previous = 0;
  }
  // Written beside the target and renamed over it: a reader never sees half a file.
  const temporary = `${to}.${process.pid}.tmp`;
  await writeFile(temporary, licenceNamesToCsv(names), 'utf8');
  await rename(temporary, to);
  return { products: names.length, previous, to };
}
