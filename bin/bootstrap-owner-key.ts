// The first owner API key of a deployed stack, written straight to its table
// with your AWS credentials (every later key is made through the API):
//
//   npm run bootstrap-key -- --table <TableName output of cdk deploy>
//
// The key is printed once; only its SHA-256 hash is stored.
import { parseArgs } from 'node:util';
import { createApiKey } from '../functions/adapters/api-keys';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { table: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || !values.table) {
    process.stderr.write('usage: npm run bootstrap-key -- --table <TableName>\n');
    process.exit(values.help ? 0 : 2);
  }
  const created = await createApiKey(values.table, 'owner');
  process.stdout.write(`owner key ${created.key}\nid ${created.id}\nIt is shown only now; keep it in a password manager.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bootstrap-key: ${(error as Error).message}\n`);
  process.exit(1);
});
