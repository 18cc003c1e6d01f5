/**
 * `npm run deploy [-- <s deploy options>]`: deploy:check first (naming every missing setting), then `s deploy`
 * with the same options (its pre-deploy action builds dist/).
 */
import { spawnSync } from 'node:child_process';
import { runDeployCheck } from './check.ts';

const args = process.argv.slice(2);
const checked = runDeployCheck(args, process.env);
if (checked !== 0) process.exitCode = checked;
else {
  const s = spawnSync('s', ['deploy', ...args], { stdio: 'inherit' });
  process.exitCode = s.status ?? 1;
}
