/**
 * The operator's per-case input: resourceCode from case.json, else the photo metadata `resource-code`
 * (x-oss-meta-resource-code on ref.jpg, then auth.jpg), else the configured default.
 */
import { parseJson } from '../json.ts';
import type { ObjectInfo, ObjectStore } from '../store/types.ts';
import { CaseInputError } from './errors.ts';
import { type CaseLocation, caseJsonKey } from './layout.ts';
import { type CaseJson, caseJsonSchema } from './schemas.ts';
import type { CaseSettings } from './settings.ts';

const RESOURCE_CODE_METADATA = 'resource-code';
const RESOURCE_CODE = /^\d{8}$/;

export async function readCaseJson(
  store: ObjectStore,
  location: CaseLocation,
): Promise<CaseJson | undefined> {
  return parseCaseJson((await store.get(caseJsonKey(location)))?.body);
}

/** case.json's body (undefined: there is none) -> its fields; CaseInputError case_json_malformed when invalid. */
export function parseCaseJson(body: Buffer | undefined): CaseJson | undefined {
  if (body === undefined) return undefined;
  const parsed = parseJson(caseJsonSchema, body);
  if (parsed.ok) return parsed.value;
  if (parsed.notJson) {
    throw new CaseInputError('case_json_malformed', 'case.json is not valid JSON', parsed.cause);
  }
  const { issue } = parsed;
  // zod's message for unknown fields quotes them whole: a key can be anything (a photo's base64 pasted by
  // mistake), and result.json and the log never hold more than a short, cut name of it.
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys
      .slice(0, 3)
      .map((k) => JSON.stringify(k.length > 24 ? `${k.slice(0, 24)}...` : k));
    const more = issue.keys.length > 3 ? ` and ${issue.keys.length - 3} more` : '';
    throw new CaseInputError(
      'case_json_malformed',
      `case.json has unknown fields ${names.join(', ')}${more}; it may hold resourceCode and reference only`,
    );
  }
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw new CaseInputError('case_json_malformed', `case.json ${where}${issue.message}`);
}

export async function loadCaseInput(
  store: ObjectStore,
  location: CaseLocation,
  ref: ObjectInfo,
  auth: ObjectInfo,
  settings: Pick<CaseSettings, 'defaultResourceCode'>,
): Promise<CaseInput> {
  return caseInputFrom((await store.get(caseJsonKey(location)))?.body, ref, auth, settings);
}

interface CaseInput {
  resourceCode: string;
  reference: string | undefined;
}

/** The same from a case.json body already read (processCase reads it with the photos' versions). */
export function caseInputFrom(
  caseJsonBody: Buffer | undefined,
  ref: ObjectInfo,
  auth: ObjectInfo,
  settings: Pick<CaseSettings, 'defaultResourceCode'>,
): CaseInput {
  const caseJson = parseCaseJson(caseJsonBody);
  const fromMetadata = ref.metadata[RESOURCE_CODE_METADATA] ?? auth.metadata[RESOURCE_CODE_METADATA];
  if (
    caseJson?.resourceCode === undefined &&
    fromMetadata !== undefined &&
    !RESOURCE_CODE.test(fromMetadata)
  ) {
    throw new CaseInputError(
      'resource_code_invalid',
      `photo metadata ${RESOURCE_CODE_METADATA} must be 8 digits`,
    );
  }
  const resourceCode = caseJson?.resourceCode ?? fromMetadata ?? settings.defaultResourceCode;
  if (resourceCode === undefined) {
    throw new CaseInputError(
      'resource_code_missing',
      'no resourceCode: set it in case.json, as photo metadata resource-code, or as IDV_RESOURCE_CODE',
    );
  }
  return { resourceCode, reference: caseJson?.reference };
}
