import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LicenceName, licenceNamesFromCsv } from './licensing-csv.js';

/**
 * Product names for licences ("Microsoft 365 Business Premium" for SPB), from Microsoft's
 * published table as shipped in licence-names.csv (refreshed with `toolbox licences refresh`).
 * Graph itself only knows the part number.
 *
 * The path goes through the package root so the built service (dist/…) reads the same file as
 * the sources: both sit four folders below it.
 */
export const LICENCE_NAMES_FILE = fileURLToPath(new URL('../../../../src/connectors/directory/entra/licence-names.csv', import.meta.url));

export type LicenceCatalogue = {
  /** The product name, by skuId first, then by part number; undefined for a SKU the table lacks. */
  productName(sku: { skuId?: string; skuPartNumber?: string }): string | undefined;
  /** What to show: the product name, else the part number, else the id. */
  displayName(sku: { skuId: string; skuPartNumber?: string }): string;
  size: number;
};

export function createLicenceCatalogue(names: LicenceName[]): LicenceCatalogue {
  const bySkuId = new Map<string, string>();
  const byPart = new Map<string, string>();
  for (const name of names) {
    bySkuId.set(name.skuId.toLowerCase(), name.productName);
    // A part number Microsoft lists under two names keeps the first (the table is sorted by name).
    if (!byPart.has(name.skuPartNumber.toUpperCase())) byPart.set(name.skuPartNumber.toUpperCase(), name.productName);
  }
  const productName: LicenceCatalogue['productName'] = (sku) =>
    (sku.skuId ? bySkuId.get(sku.skuId.toLowerCase()) : undefined) ??
    (sku.skuPartNumber ? byPart.get(sku.skuPartNumber.toUpperCase()) : undefined);
  return {
    productName,
    displayName: (sku) => productName(sku) ?? (sku.skuPartNumber || sku.skuId),
    size: bySkuId.size,
  };
}

let shipped: LicenceCatalogue | undefined;

/**
 * The shipped table, read once. A missing or broken file gives an empty catalogue, so licences
 * show their part numbers rather than failing a form (the unit test guards the shipped file).
 */
export function shippedLicenceCatalogue(): LicenceCatalogue {
  if (!shipped) {
    let names: LicenceName[] = [];
    try {
      names = licenceNamesFromCsv(readFileSync(LICENCE_NAMES_FILE, 'utf8'));
    } catch {
      names = [];
    }
    shipped = createLicenceCatalogue(names);
  }
  return shipped;
}
