/** `npm run smoke -- <URL> [--key KEY]`: see smoke.ts. */
import { parseArgs } from 'node:util';
import { smoke } from './smoke.ts';

const USAGE = 'usage: npm run smoke -- <URL of the HTTP trigger> [--key API_KEY]   (or IDV_SMOKE_KEY=...)';

async function main(): Promise<number> {
  let url: string | undefined;
  let key: string | undefined;
  try {
    const { positionals, values } = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { key: { type: 'string' } },
    });
    url = positionals.length === 1 ? positionals[0] : undefined;
    key = values.key ?? process.env.IDV_SMOKE_KEY;
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:\/\/[^\s]+$/.test(url)) {
    console.error(USAGE);
    return 2;
  }
  const steps = await smoke(url, key);
  for (const s of steps) console.log(`${s.ok ? 'ok  ' : 'FAIL'}  ${s.name}: ${s.detail}`);
  if (!key)
    console.log('skip  POST /verify with photos: pass --key (or IDV_SMOKE_KEY) to run one paid verification');
  const failed = steps.filter((s) => !s.ok).length;
  console.log(failed === 0 ? 'smoke: passed' : `smoke: ${failed} step(s) failed`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
});
