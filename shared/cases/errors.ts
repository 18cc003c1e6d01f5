/** Why a case was refused before any paid call (besides PhotoError from shared/photo). */

export const CASE_INPUT_ERROR_CODES = [
  'invalid_case_id', // the folder name is not a valid caseId
  'case_json_malformed', // case.json is not JSON or does not match its schema
  'resource_code_missing', // no resourceCode in case.json, the photo metadata or the configuration
  'resource_code_invalid', // the photo metadata resource-code is not 8 digits
] as const;
export type CaseInputErrorCode = (typeof CASE_INPUT_ERROR_CODES)[number];

export class CaseInputError extends Error {
  override readonly name = 'CaseInputError';
  readonly code: CaseInputErrorCode;
  constructor(code: CaseInputErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}
