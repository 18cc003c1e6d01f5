/**
 * `npm start`: the local stack. The emulator (with the on-device face engine) and the verify-http function
 * behind an FC-style runner on PORT (default 9000); with IDV_ENDPOINT and ALIBABA_CLOUD_* credentials it calls
 * that endpoint and starts no emulator. Prints URLs, the API key and a curl command; Ctrl-C or SIGTERM stops
 * every piece in reverse order, letting HTTP requests and bucket cases in progress finish first (their upstream
 * call may be paid); a second Ctrl-C stops at once.
 */
import { loadLogConfig, readProcessEnv } from '../shared/config.ts';
import { createLogger } from '../shared/log.ts';
import { startBucketDoor } from './bucket/door.ts';
import { bannerText } from './dev/banner.ts';
import { loadDevConfig } from './dev/config.ts';
import { type Piece, startHttpFunction, startUpstream } from './dev/pieces.ts';
import { startRerunTimer } from './timer/timer.ts';

const env = readProcessEnv();
const logger = createLogger({ level: loadLogConfig(env).level });
const pieces: Piece[] = [];
let stopping = false;
let stoppingSinceMs = 0;
/**
 * One Ctrl-C can reach this process twice (the terminal signals the whole process group, and tsx's wrapper may
 * relay it): a repeat within this long is the same keypress, not a request to stop at once.
 */
const SAME_KEYPRESS_MS = 1_000;

async function stopAll(reason: string, exitCode: number): Promise<never> {
  if (stopping && reason !== 'error' && Date.now() - stoppingSinceMs < SAME_KEYPRESS_MS) {
    return new Promise<never>(() => {}); // the first signal's stop goes on
  }
  if (stopping && reason !== 'error') {
    // A second Ctrl-C: stop waiting for requests in progress.
    console.log(`\n${reason} again: stopping now, without waiting for requests in progress.`);
    process.exit(130);
  }
  if (!stopping) {
    stopping = true;
    stoppingSinceMs = Date.now();
    console.log(
      `\n${reason}: stopping (requests in progress are answered first; Ctrl-C again to stop now)...`,
    );
    for (const piece of pieces.reverse()) {
      try {
        await piece.stop();
      } catch (err) {
        logger.error('piece failed to stop', { piece: piece.name, err });
      }
    }
    console.log('Stopped.');
  }
  process.exit(exitCode);
}
process.on('SIGINT', () => void stopAll('SIGINT', 0));
process.on('SIGTERM', () => void stopAll('SIGTERM', 0));

try {
  console.log('Starting the local stack (loading the face engine takes a few seconds)...');
  const config = loadDevConfig(env);
  const upstream = await startUpstream(config, logger);
  pieces.push(upstream);
  pieces.push(await startHttpFunction(config, upstream.upstream, logger));
  pieces.push(await startBucketDoor(config, upstream.upstream, logger));
  pieces.push(await startRerunTimer(config, upstream.upstream, logger));
  console.log(bannerText(pieces));
} catch (err) {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll('error', 1);
}
