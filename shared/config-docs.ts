/**
 * One line per environment variable: its default and its meaning. `.env.example` is generated from this and
 * from the `*EnvSchema` objects of shared/config.ts (and the emulator's), by `npm run env:example`;
 * test/unit/config/env-example.test.ts fails when a schema gains a variable that is not described here, or
 * when .env.example is out of step.
 */
interface EnvDoc {
  /** Shown as the value in .env.example; empty means "unset by default". */
  default: string;
  meaning: string;
}

export const ENV_DOCS: Record<string, EnvDoc> = {
  // idv
  IDV_API: {
    default: 'intl_face_verify',
    meaning:
      'upstream API: intl_face_verify (saf ExecuteRequest), face_compare or face_compare_v2 (Cloudauth-intl); docs/upstream-apis.md',
  },
  IDV_ENDPOINT: {
    default: '',
    meaning:
      "ID Verification endpoint (default: the API's, e.g. https://saf.ap-southeast-1.aliyuncs.com; Cloudauth-intl inside FC: its VPC endpoint); under npm start, set it with credentials to call it instead of the emulator",
  },
  IDV_REGION: {
    default: '',
    meaning: 'region of the default upstream endpoint when IDV_ENDPOINT is unset (default ap-southeast-1)',
  },
  IDV_TIMEOUT_MS: { default: '10000', meaning: 'timeout of one upstream attempt in ms' },
  IDV_MAX_UNCERTAIN_RETRIES: {
    default: '1',
    meaning:
      'retries after an upstream attempt that may have been billed (timeout, lost connection, unreadable reply) per request, idempotency key or pair version; 0 holds at once (docs/money-safety.md)',
  },
  IDV_MIN_ATTEMPT_MS: {
    default: '2000',
    meaning:
      'an upstream attempt starts only with this many ms left before the request, event or run deadline: one started later is billed and then cut off, and paid again on its retry',
  },
  IDV_RESOURCE_CODE: {
    default: '',
    meaning: 'default 8-digit resourceCode for requests and cases that name none (00840000 under npm start)',
  },
  // idempotency (verify-http)
  IDV_IDEMPOTENCY_DIR: {
    default: '',
    meaning:
      'verify-http: folder for Idempotency-Key records (npm start: the bucket folder); without it or IDV_IDEMPOTENCY_BUCKET the header is answered 400',
  },
  IDV_IDEMPOTENCY_BUCKET: {
    default: '',
    meaning: 'verify-http: OSS bucket for Idempotency-Key records (OSS_REGION and IDV_OSS_ENDPOINT apply)',
  },
  IDV_IDEMPOTENCY_PREFIX: { default: 'idempotency', meaning: 'key prefix of the Idempotency-Key records' },
  IDV_IDEMPOTENCY_TTL: { default: '24h', meaning: 'how long a completed reply is replayed (1m to 168h)' },
  // credentials
  ALIBABA_CLOUD_ACCESS_KEY_ID: {
    default: '',
    meaning: "access key used when FC gives no context.credentials (the function role's STS keys come first)",
  },
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: { default: '', meaning: 'its secret; set together with the ID' },
  ALIBABA_CLOUD_SECURITY_TOKEN: { default: '', meaning: 'STS token that goes with the key pair' },
  // http
  IDV_API_KEYS: {
    default: '',
    meaning:
      'verify-http: comma-separated SHA-256 hex of the accepted API keys (required unless IDV_API_KEY)',
  },
  IDV_API_KEY: {
    default: '',
    meaning: 'one plain API key, at least 16 characters (local use; npm start generates and prints one)',
  },
  IDV_MAX_PHOTO_BYTES: { default: '15728640', meaning: 'largest photo after base64 decoding, in bytes' },
  IDV_MAX_PHOTO_PIXELS: { default: '50000000', meaning: 'largest declared width x height of a photo' },
  IDV_REQUEST_BUDGET_MS: { default: '25000', meaning: 'verify-http: time for one request, retries included' },
  IDV_QUOTA_RESET_UTC_OFFSET_MINUTES: {
    default: '0',
    meaning: 'the daily quota resets at midnight at this UTC offset in minutes (480 for Beijing time)',
  },
  // local
  PORT: { default: '9000', meaning: 'npm start: port of the HTTP function (0: chosen by the OS)' },
  HOST: { default: '127.0.0.1', meaning: 'npm start: address of the HTTP function' },
  IDV_BODY_TIMEOUT_MS: {
    default: '30000',
    meaning: 'npm start: a request body not fully received within this many ms gets 408',
  },
  // log
  LOG_LEVEL: { default: 'info', meaning: 'debug, info, warn or error' },
  // bucket
  IDV_STORE: {
    default: '',
    meaning: 'fs (a local folder) or oss; default oss when IDV_BUCKET is set, else fs',
  },
  IDV_BUCKET_DIR: {
    default: './bucket',
    meaning: 'the local bucket folder (fs store; npm start watches it)',
  },
  IDV_BUCKET: { default: '', meaning: 'the OSS bucket (the deployment and the scheduled rerun)' },
  OSS_REGION: { default: '', meaning: 'region of the bucket, e.g. ap-southeast-1' },
  IDV_OSS_FLAVOUR: {
    default: '',
    meaning:
      'create-if-absent dialect: oss (x-oss-forbid-overwrite; set it for a custom domain in front of OSS) or s3 (If-None-Match: *); default from the endpoint host',
  },
  IDV_OSS_ENDPOINT: {
    default: '',
    meaning:
      "OSS's S3-compatible endpoint (default inside FC for a bucket in the function's region https://s3.oss-<region>-internal.aliyuncs.com, else https://s3.oss-<region>.aliyuncs.com)",
  },
  IDV_PREFIX: { default: 'cases', meaning: 'cases live at <prefix>/<caseId>/' },
  IDV_CLAIM_LEASE_MS: { default: '120000', meaning: 'how long a claim protects a pair before a takeover' },
  IDV_RETRY_BASE_MS: { default: '60000', meaning: 'backoff of a retrying case: base x 2^(attempts-1)' },
  IDV_RETRY_MAX_MS: { default: '21600000', meaning: 'the cap of that backoff' },
  IDV_MAX_ATTEMPTS: { default: '10', meaning: 'attempts before a case is failed (RetriesExhausted)' },
  IDV_DELETE_PHOTOS_AFTER_VERDICT: {
    default: 'false',
    meaning: 'delete ref.jpg and auth.jpg after a verified result (result.json is kept)',
  },
  // rerun
  IDV_RERUN_CONCURRENCY: { default: '4', meaning: 'cases verified at once by one rerun' },
  IDV_RERUN_MARGIN_MS: {
    default: '30000',
    meaning: 'a rerun takes no new case after start + timeout - margin',
  },
  IDV_RERUN_MODE: {
    default: 'inline',
    meaning: 'inline (verify in the rerun) or fanout (invoke the OSS function)',
  },
  IDV_FANOUT_FUNCTION: { default: '', meaning: 'fan-out: the OSS function to invoke (idv-verify-oss)' },
  IDV_FANOUT_QUALIFIER: { default: 'LATEST', meaning: 'fan-out: its version or alias' },
  IDV_FC_ENDPOINT: {
    default: '',
    meaning: 'fan-out: FC 3.0 API endpoint (default <FC_ACCOUNT_ID>.<FC_REGION>.fc.aliyuncs.com)',
  },
  FC_ACCOUNT_ID: { default: '', meaning: 'set by Function Compute in every instance: the account id' },
  FC_REGION: { default: '', meaning: 'set by Function Compute in every instance: its region' },
  IDV_RERUN_INTERVAL: {
    default: '',
    meaning:
      "npm start: how often the local rerun timer runs (30s, 5m, 1h); overrides s.yaml's schedule (1m without one)",
  },
  // emulator
  IDV_EMULATOR_PORT: {
    default: '',
    meaning: 'emulator port (npm run emulator: 8787; npm start: chosen by the OS)',
  },
  IDV_EMULATOR_HOST: { default: '127.0.0.1', meaning: 'emulator address' },
  IDV_EMULATOR_ACCESS_KEY_ID: {
    default: '',
    meaning: 'the key pair the emulator accepts (generated when unset)',
  },
  IDV_EMULATOR_ACCESS_KEY_SECRET: { default: '', meaning: 'its secret, at least 8 characters' },
  IDV_EMULATOR_SECURITY_TOKEN: {
    default: '',
    meaning: 'makes the key behave like STS credentials: every request must carry this SecurityToken',
  },
  IDV_EMULATOR_DAILY_QUOTA: {
    default: '',
    meaning: 'calls per UTC day that reach the engine, then Code 402 (unlimited when unset)',
  },
  IDV_EMULATOR_RESOURCE_CODES: {
    default: '',
    meaning: 'comma-separated 8-digit resourceCodes the emulator accepts (its built-in table when unset)',
  },
  IDV_EMULATOR_QPS: {
    default: '',
    meaning: 'calls per second per key and API, then Throttling.User, not billed (no limit when unset)',
  },
  IDV_EMULATOR_FAULTS: { default: '', meaning: 'fault injection as JSON (see docs/emulator.md)' },
};
