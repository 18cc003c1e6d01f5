/**
 * resourceCode: the country of the person verified, an 8-digit code. The documentation gives one example,
 * "00840000" (labelled Vietnam there); Alibaba publishes no full list, so this table is the emulator's own:
 * the documented example plus `00` + ISO 3166-1 numeric code + `000` for a few countries. Anything else is
 * answered like the real service answers an unknown code: Code 500, SYSTEM_ERROR, Z1141
 * "resourceCode value invalid". Pass `resourceCodes` to startEmulator (or IDV_EMULATOR_RESOURCE_CODES) to change it.
 */
export const DEFAULT_RESOURCE_CODES: Readonly<Record<string, string>> = {
  '00840000': 'documented example (Vietnam in the documentation)',
  '00704000': 'Vietnam (ISO 3166-1 704)',
  '00360000': 'Indonesia (ISO 3166-1 360)',
  '00458000': 'Malaysia (ISO 3166-1 458)',
  '00608000': 'Philippines (ISO 3166-1 608)',
  '00702000': 'Singapore (ISO 3166-1 702)',
  '00764000': 'Thailand (ISO 3166-1 764)',
  '00156000': 'China (ISO 3166-1 156)',
  '00344000': 'Hong Kong (ISO 3166-1 344)',
  '00356000': 'India (ISO 3166-1 356)',
  '00392000': 'Japan (ISO 3166-1 392)',
  '00410000': 'Korea (ISO 3166-1 410)',
  '00276000': 'Germany (ISO 3166-1 276)',
  '00826000': 'United Kingdom (ISO 3166-1 826)',
  '00076000': 'Brazil (ISO 3166-1 076)',
  '00484000': 'Mexico (ISO 3166-1 484)',
};

export const RESOURCE_CODE_PATTERN = /^\d{8}$/;

export function createResourceCodeCheck(codes: readonly string[] = Object.keys(DEFAULT_RESOURCE_CODES)) {
  const known = new Set(codes);
  return (code: string): boolean => RESOURCE_CODE_PATTERN.test(code) && known.has(code);
}
