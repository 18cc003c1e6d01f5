/** `npm run deploy:check [-- -a <alias>]`. */
import { runDeployCheck } from './check.ts';

process.exitCode = runDeployCheck(process.argv.slice(2), process.env);
