// Size and module load time of each Lambda bundle, as `cdk synth` built it
// (not a test):
//
//   npx cdk synth --quiet && npm run bench:bundles [-- --runs 9]
//
// Reads cdk.out/Huitou.template.json for each function's asset folder and env.
// Load time is the cold start's module part: a fresh `node` process requires
// the bundle with the function's template env (tokens replaced by stand-ins)
// and --enable-source-maps, as Lambda does; the median of --runs is printed.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { functions } from '../../lib/resources';
import { runtimeModules } from '../../bin/local/lambda';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(values.runs);
const out = new URL('../../cdk.out/', import.meta.url).pathname;
const template = JSON.parse(readFileSync(join(out, 'Huitou.template.json'), 'utf8')) as {
  Resources: Record<
    string,
    { Type: string; Metadata?: Record<string, string>; Properties?: { Environment?: { Variables: Record<string, unknown> } } }
  >;
};

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

process.stdout.write(`node ${process.version}, ${runs} loads per bundle, median\n`);
for (const [name, definition] of Object.entries(functions)) {
  const found = Object.entries(template.Resources).find(
    ([logicalId, resource]) => resource.Type === 'AWS::Lambda::Function' && logicalId.startsWith(definition.id),
  );
  const assetPath = found?.[1].Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error(`no asset for ${name} (${definition.id}) in cdk.out; run npx cdk synth first`);
  const variables = found?.[1].Properties?.Environment?.Variables ?? {};
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_PATH: runtimeModules,
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  for (const [key, value] of Object.entries(variables)) {
    env[key] = typeof value === 'string' ? value : key.endsWith('_URL') ? 'https://sqs.us-east-1.amazonaws.com/1/q' : 'table';
  }
  const file = join(out, assetPath, 'index.js');
  const bytes = statSync(file).size;
  const gzipped = gzipSync(readFileSync(file)).length;
  const loads: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(
      process.execPath,
      ['--enable-source-maps', '-e', `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`],
      { env, encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`${name}: the bundle did not load: ${child.stderr}`);
    loads.push(Number(child.stdout));
  }
  process.stdout.write(
    `${name.padEnd(10)} ${bytes} bytes minified (${(bytes / 1024).toFixed(1)} KiB), ${gzipped} bytes gzipped, ` +
      `load ${median(loads).toFixed(1)} ms (min ${Math.min(...loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)})\n`,
  );
}
