/**
 * `npm run emulator`: the ID Verification API on http://127.0.0.1:8787 (IDV_EMULATOR_PORT), answering from the
 * on-device face engine, with the key pair from IDV_EMULATOR_ACCESS_KEY_ID / IDV_EMULATOR_ACCESS_KEY_SECRET
 * (generated and printed when unset). Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
 */
import { ConfigError, loadLogConfig, readProcessEnv } from '../../shared/config.ts';
import { createLogger, type Logger } from '../../shared/log.ts';
import { createFaceEngine } from '../engine/engine.ts';
import { STATS_PATH, startEmulator } from './server.ts';
import { type EmulatorSettings, emulatorOptionsFrom, loadEmulatorSettings } from './settings.ts';

const env = readProcessEnv();
let settings: EmulatorSettings;
let logger: Logger;
try {
  settings = loadEmulatorSettings(env);
  logger = createLogger({ level: loadLogConfig(env).level });
} catch (err) {
  // A clear line naming the variable, not a stack trace.
  if (!(err instanceof ConfigError)) throw err;
  console.error(`npm run emulator: invalid setting ${err.message}`);
  process.exit(1);
}
// In instant mode (set once, from IDV_EMULATOR_FAULTS) no call reaches the engine: skip loading its models.
const instant = settings.faults.instant === true;
if (!instant) console.log('Loading the face engine...');
const engine = instant ? undefined : await createFaceEngine();
const emulator = await startEmulator({
  engine,
  ...emulatorOptionsFrom(settings),
  logger,
});

// Handlers first: a signal that arrives right after the banner must already find them.
let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the emulator...`);
  await emulator.close();
  await engine?.close();
  console.log('Stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

const lines = [
  `ID Verification emulator listening on ${emulator.url}`,
  `  endpoint (pop-core, SDKs):  ${emulator.url}`,
  `  AccessKeyId:                ${settings.key.accessKeyId}`,
];
// The secret is printed only when it was generated here: nobody else could know it.
if (settings.generatedKey)
  lines.push(`  AccessKeySecret:            ${settings.key.accessKeySecret}  (generated)`);
if (instant) lines.push('  mode:                       instant (answers "passed" without the face engine)');
if (settings.key.securityToken)
  lines.push('  SecurityToken:              required (IDV_EMULATOR_SECURITY_TOKEN)');
if (settings.qps !== undefined)
  lines.push(
    `  QPS limit:                  ${settings.qps} per AccessKey and API (Throttling.User beyond it)`,
  );
lines.push(`  stats:                      ${emulator.url}${STATS_PATH}`, 'Press Ctrl-C to stop.');
console.log(lines.join('\n'));
