// Moves the customer profiles of a deployed stack from the one `CUSTOMERS`
// list partition of earlier versions to their shards, with your AWS
// credentials. Run it once after deploying this version (again is harmless):
//
//   npm run migrate:customer-list -- --table <TableName output of cdk deploy>
//
// Until it has run, a profile not written since the upgrade is missing from
// `GET /admin/customers` (it is still found by id and by email).
import { parseArgs } from 'node:util';
import { shardCustomerList } from '../functions/adapters/customer-list-migration';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { table: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || !values.table) {
    process.stderr.write('usage: npm run migrate:customer-list -- --table <TableName>\n');
    process.exit(values.help ? 0 : 2);
  }
  const moved = await shardCustomerList(values.table);
  process.stdout.write(`moved ${moved} customer${moved === 1 ? '' : 's'} to their list shards\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate:customer-list: ${(error as Error).message}\n`);
  process.exit(1);
});
