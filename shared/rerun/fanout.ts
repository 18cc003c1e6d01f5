/**
 * Fan-out mode (optional, for big buckets): instead of verifying in the timer's own instance, each due case is
 * handed to the OSS function (functions/verify-oss) by an asynchronous invocation carrying an OSS-shaped event
 * for the case's photo, so Function Compute spreads the work over instances and applies its async retries. The
 * OSS function then runs exactly the per-case code the inline mode runs (processCase: one claim, one paid call).
 *
 * The SDK is @alicloud/fc20230330 (the FC 3.0 API), not @alicloud/fc2, which cannot address FC 3.0 functions;
 * docs/reruns.md ("Fan-out mode") has the verified details and their sources.
 *
 * Fan-out cannot force: the OSS function never re-verifies a fresh final verdict, so a forced run is refused
 * in this mode (rerun-batch says so) rather than silently doing nothing.
 */
import { Readable } from 'node:stream';
import type * as fc3 from '@alicloud/fc20230330';
import { photoKey } from '../cases/layout.ts';
import { objectCreatedEvent } from '../fc/oss-event.ts';
import type { Credentials } from '../idv/types.ts';
import type { CaseRunner } from './runner.ts';
import type { CaseSnapshot } from './scan.ts';

type Fc3Client = InstanceType<typeof fc3.default>;
type InvokeArgs = Parameters<Fc3Client['invokeFunctionWithOptions']>;

/** The one call fan-out needs from the FC 3.0 client (tests pass a recording object). */
export interface FcInvokeClient {
  invokeFunctionWithOptions(
    functionName: InvokeArgs[0],
    request: InvokeArgs[1],
    headers: InvokeArgs[2],
    runtime: InvokeArgs[3],
  ): Promise<{ statusCode?: number; headers?: Record<string, string> }>;
}

interface FanoutTarget {
  /** The OSS function's name (s.yaml: idv-verify-oss). */
  functionName: string;
  /** Version or alias; default LATEST. */
  qualifier?: string;
  bucket: string;
  region: string;
}

/**
 * The FC 3.0 SDK is loaded on first use: it costs about 200 ms of CPU at start-up and only fan-out needs it,
 * so inline runs (the default) never pay for it in their cold start.
 */
let fc3Module: Promise<typeof fc3> | undefined;
const loadFc3 = (): Promise<typeof fc3> => {
  fc3Module ??= import('@alicloud/fc20230330');
  return fc3Module;
};

class FanoutError extends Error {
  override readonly name = 'FanoutError';
  readonly code = 'FanoutFailed';
}

/** The OSS trigger event FC would deliver for the case's ref.jpg (the shape functions/verify-oss parses). */
export function caseEvent(snapshot: CaseSnapshot, target: FanoutTarget, nowEpochMs: number) {
  const photo = snapshot.ref ?? snapshot.auth;
  return objectCreatedEvent([
    {
      bucket: target.bucket,
      region: target.region,
      key: photoKey({ prefix: snapshot.prefix, caseId: snapshot.caseId }, snapshot.ref ? 'ref' : 'auth'),
      ...(photo ? { eTag: photo.etag, size: photo.size } : {}),
      eventTimeIso: new Date(nowEpochMs).toISOString(),
    },
  ]);
}

export function createFanoutRunner(
  client: FcInvokeClient,
  target: FanoutTarget,
  clock: { nowMs(): number },
): CaseRunner {
  return async (snapshot, decision) => {
    if (decision.action === 'force') {
      throw new FanoutError('fan-out cannot force a re-verification; run force inline');
    }
    const body = Buffer.from(JSON.stringify(caseEvent(snapshot, target, clock.nowMs())));
    const sdk = await loadFc3();
    const response = await client.invokeFunctionWithOptions(
      target.functionName,
      new sdk.InvokeFunctionRequest({ body: Readable.from([body]), qualifier: target.qualifier ?? 'LATEST' }),
      new sdk.InvokeFunctionHeaders({ xFcInvocationType: 'Async' }),
      {} as InvokeArgs[3], // no per-call runtime options (the SDK only reads optional fields of it)
    );
    // FC answers 202 Accepted to an async invocation.
    if (response.statusCode !== undefined && (response.statusCode < 200 || response.statusCode >= 300)) {
      throw new FanoutError(`async invocation answered HTTP ${response.statusCode}`);
    }
    return { kind: 'dispatched' };
  };
}

interface Fc3ClientOptions {
  region: string;
  /** Default `<accountId>.<region>.fc.aliyuncs.com`. */
  endpoint?: string;
  accountId?: string;
  credentials: Credentials;
}

/** The real FC 3.0 client, signing with this invocation's credentials. */
export async function createFc3Client(options: Fc3ClientOptions): Promise<FcInvokeClient> {
  const endpoint =
    options.endpoint ??
    (options.accountId ? `${options.accountId}.${options.region}.fc.aliyuncs.com` : undefined);
  if (!endpoint) throw new FanoutError('fan-out needs IDV_FC_ENDPOINT or the account id (FC_ACCOUNT_ID)');
  // The package is CommonJS with `exports.default = Client`: under Node's ESM interop the class is `.default`
  // of the namespace's default.
  const mod = (await loadFc3()) as unknown as {
    default: typeof fc3.default | { default: typeof fc3.default };
  };
  const Client = 'default' in mod.default ? mod.default.default : mod.default;
  return new Client({
    accessKeyId: options.credentials.accessKeyId,
    accessKeySecret: options.credentials.accessKeySecret,
    ...(options.credentials.securityToken ? { securityToken: options.credentials.securityToken } : {}),
    regionId: options.region,
    endpoint: endpoint.replace(/^https?:\/\//, ''),
    // `http://` only for a local stand-in of the FC API (tests); the real endpoint is HTTPS.
    ...(endpoint.startsWith('http://') ? { protocol: 'http' } : {}),
  } as ConstructorParameters<typeof fc3.default>[0]);
}
