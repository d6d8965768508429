// One entry point from the rows of a history import to orders: rows grouped
// into orders as the format groups them, each mapped or refused with its line.
import { genericOrderKey, mapGenericCsv } from './generic-csv';
import { type ImportContext, type ImportFormat, type ImportRow, type MappedOrder, groupRows } from './rows';
import { mapShopifyOrdersCsv, shopifyOrderKey } from './shopify-orders-csv';
import { mapWooCommerceOrdersCsv, wooOrderKey } from './woocommerce-orders-csv';

export * from './rows';

interface FormatMapper {
  /** Rows with the same key, one after the other, are one order. */
  orderKey(row: ImportRow): string | undefined;
  map(rows: readonly ImportRow[], context: ImportContext): MappedOrder;
}

const mappers: Record<ImportFormat, FormatMapper> = {
  'shopify-orders-csv': { orderKey: shopifyOrderKey, map: mapShopifyOrdersCsv },
  'woocommerce-orders-csv': { orderKey: wooOrderKey, map: mapWooCommerceOrdersCsv },
  csv: { orderKey: genericOrderKey, map: mapGenericCsv },
};

/** The key that groups a format's rows into orders (the CLI batches by it, never splitting an order). */
export function orderKeyOf(format: ImportFormat, row: ImportRow): string | undefined {
  return mappers[format].orderKey(row);
}

/** An order of the file, mapped or refused, with the rows it was read from. */
export interface ImportedOrder extends MappedOrder {
  rows: ImportRow[];
}

/** Every order the rows hold, in file order, each mapped or refused. */
export function mapImportRows(format: ImportFormat, rows: readonly ImportRow[], context: ImportContext): ImportedOrder[] {
  const mapper = mappers[format];
  return groupRows(rows, mapper.orderKey).map((group) => ({ ...mapper.map(group, context), rows: group }));
}
