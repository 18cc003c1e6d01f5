/** `npm run env:example`: writes .env.example at the repository root. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEnvExample, UndocumentedVariableError } from './example.ts';

try {
  const path = fileURLToPath(new URL('../../.env.example', import.meta.url));
  writeFileSync(path, renderEnvExample());
  console.log(`wrote ${path}`);
} catch (err) {
  if (!(err instanceof UndocumentedVariableError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
