/** Why a case was refused before any paid call (besides PhotoError from shared/photo). */

const CASE_INPUT_ERROR_CODES = [
  'invalid_case_id', // the folder name is not a valid caseId
  'case_json_malformed', // case.json is not JSON or does not match its schema
  'resource_code_missing', // no resourceCode in case.json, the photo metadata or the configuration
  'resource_code_invalid', // the photo metadata resource-code is not 8 digits
] as const;
type CaseInputErrorCode = (typeof CASE_INPUT_ERROR_CODES)[number];

export class CaseInputError extends Error {
  override readonly name = 'CaseInputError';
  readonly code: CaseInputErrorCode;
  constructor(code: CaseInputErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}

/**
 * A failure of the configuration or the account, not of the case: wrong credentials (AuthFailed), the service not
 * activated (NotActivated) or misnamed (InvalidService), or no resourceCode anywhere and no IDV_RESOURCE_CODE.
 * processCase writes no result for it and spends no attempt (the claim is released); the rerun stops at the
 * first one and the CLI exits 2 naming the setting.
 */
export const RUN_LEVEL_CODES = [
  'AuthFailed',
  'NotActivated',
  'InvalidService',
  'resource_code_missing',
] as const;
export type RunLevelCode = (typeof RUN_LEVEL_CODES)[number];

export class RunLevelError extends Error {
  override readonly name = 'RunLevelError';
  readonly code: RunLevelCode;
  /** The setting to fix, when one is known (IDV_RESOURCE_CODE). */
  readonly variable: string | undefined;
  constructor(code: RunLevelCode, message: string, options: { variable?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.variable = options.variable;
  }
}
