// Bundle size of each Lambda, as `cdk synth` built it (not a test):
//
//   npx cdk synth --quiet && npm run bench:bundles
//
// Reads cdk.out/Huitou.template.json to find each function's asset folder.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { functions } from '../../lib/resources';

const out = new URL('../../cdk.out/', import.meta.url).pathname;
const template = JSON.parse(readFileSync(join(out, 'Huitou.template.json'), 'utf8')) as {
  Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
};

for (const [name, definition] of Object.entries(functions)) {
  const found = Object.entries(template.Resources).find(
    ([logicalId, resource]) => resource.Type === 'AWS::Lambda::Function' && logicalId.startsWith(definition.id),
  );
  const assetPath = found?.[1].Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error(`no asset for ${name} (${definition.id}) in cdk.out; run npx cdk synth first`);
  const dir = join(out, assetPath);
  const code = readdirSync(dir).filter((file) => file.endsWith('.js') || file.endsWith('.mjs') || file.endsWith('.cjs'));
  for (const file of code) {
    const bytes = statSync(join(dir, file)).size;
    const gzipped = gzipSync(readFileSync(join(dir, file))).length;
    process.stdout.write(`${name.padEnd(10)} ${file.padEnd(10)} ${bytes} bytes minified (${(bytes / 1024).toFixed(1)} KiB), ${gzipped} bytes gzipped\n`);
  }
}
