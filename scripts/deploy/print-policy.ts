/**
 * `npm run deploy:policy -- <accountId>`: prints docs/ram-policy.json with its placeholders filled from the
 * same variables s.yaml reads (FC_REGION, IDV_BUCKET, IDV_PREFIX, IDV_FAILURE_QUEUE and their defaults).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../build.ts';
import { loadRamPolicyTemplate, renderRamPolicy } from './ram-policy.ts';
import { resolveVars } from './s-yaml.ts';

const accountId = process.argv[2];
if (!accountId || !/^\d+$/.test(accountId)) {
  console.error('usage: npm run deploy:policy -- <accountId>   (the numeric Alibaba Cloud account ID)');
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
  console.log(JSON.stringify(policy, null, 2));
} catch (err) {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
}
