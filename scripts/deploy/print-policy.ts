/**
 * `npm run deploy:policy -- <accountId> [--out FILE]`: docs/ram-policy.json with its placeholders filled from
 * the same variables s.yaml reads (FC_REGION, IDV_BUCKET, IDV_PREFIX, IDV_FAILURE_QUEUE and their defaults).
 * With --out it writes the file itself: `npm run ... > file` would put npm's own banner lines into it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../build.ts';
import { loadRamPolicyTemplate, renderRamPolicy } from './ram-policy.ts';
import { resolveVars } from './s-yaml.ts';

const USAGE =
  'usage: npm run deploy:policy -- <accountId> [--out FILE]   (the numeric Alibaba Cloud account ID)';

let accountId: string | undefined;
let out: string | undefined;
try {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { out: { type: 'string' } },
  });
  accountId = positionals[0];
  out = values.out;
  if (positionals.length !== 1) accountId = undefined;
} catch {
  accountId = undefined;
}
if (!accountId || !/^\d+$/.test(accountId)) {
  console.error(USAGE);
  process.exit(2);
}
try {
  const vars = resolveVars(
    readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8'),
    ['region', 'bucket', 'prefix', 'failureQueue'],
    { env: process.env, config: { AccountID: accountId } },
  );
  const policy = renderRamPolicy(loadRamPolicyTemplate(join(REPO_ROOT, 'docs/ram-policy.json')), {
    ...vars,
    accountId,
  });
  const text = `${JSON.stringify(policy, null, 2)}\n`;
  if (out) {
    writeFileSync(resolve(out), text);
    console.error(`wrote ${resolve(out)}`);
  } else process.stdout.write(text);
} catch (err) {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
}
