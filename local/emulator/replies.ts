/**
 * What the emulator answers, in Alibaba's shapes. Gateway failures (signature, key, timestamp, nonce) carry a
 * string Code as the POP gateway sends them: {RequestId, HostId, Code, Message, Recommend}. Service answers of
 * ExecuteRequest carry the documented numeric Code and, where documented, the Data JSON string.
 * Statuses and messages of the gateway codes as Alibaba's gateways send them (seen in SDK code and Alibaba's
 * error catalogues): InvalidAccessKeyId.NotFound is 404, the other authentication failures are 400.
 * The HTTP status of a service answer equals its Code (402, 403, ...), so openapi-client, which does check the
 * status, throws on them just as pop-core throws on the Code.
 */
const GATEWAY_ERRORS = {
  SignatureDoesNotMatch: { status: 400, message: 'Specified signature is not matched with our calculation.' },
  IncompleteSignature: {
    status: 400,
    message: 'The request signature does not conform to Aliyun standards.',
  },
  InvalidSignatureMethod: { status: 400, message: 'Specified signature method is not valid.' },
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  'InvalidTimeStamp.Expired': { status: 400, message: 'Specified time stamp or date value is expired.' },
  'InvalidTimeStamp.Format': {
    status: 400,
    message: 'Specified time stamp or date value is not well formatted.',
  },
  SignatureNonceUsed: { status: 400, message: 'Specified signature nonce was used already.' },
  MissingSecurityToken: { status: 400, message: 'SecurityToken is mandatory for this action.' },
  'InvalidSecurityToken.MismatchWithAccessKey': {
    status: 400,
    message: 'Specified SecurityToken mismatch with the AccessKey.',
  },
  MissingParameter: { status: 400, message: 'A mandatory parameter is not supplied.' },
  // Missing<Name>: Alibaba's gateway names the missing common parameter in the code itself.
  MissingAccessKeyId: { status: 400, message: 'AccessKeyId is mandatory for this action.' },
  MissingSignature: { status: 400, message: 'Signature is mandatory for this action.' },
  MissingSignatureNonce: { status: 400, message: 'SignatureNonce is mandatory for this action.' },
  MissingSignatureMethod: { status: 400, message: 'SignatureMethod is mandatory for this action.' },
  MissingSignatureVersion: { status: 400, message: 'SignatureVersion is mandatory for this action.' },
  MissingTimestamp: { status: 400, message: 'Timestamp is mandatory for this action.' },
  MissingAction: { status: 400, message: 'Action is mandatory for this action.' },
  MissingVersion: { status: 400, message: 'Version is mandatory for this action.' },
  'InvalidAccessKeyId.Inactive': { status: 400, message: 'Specified access key is disabled.' },
  'InvalidApi.NotFound': {
    status: 404,
    message: 'Specified api is not found, please check your url and method.',
  },
  'InvalidAction.NotFound': {
    status: 404,
    message: 'Specified api is not found, please check your url and method.',
  },
  InvalidVersion: { status: 400, message: 'Specified parameter Version is not valid.' },
  UnsupportedHTTPMethod: { status: 400, message: 'This http method is not supported.' },
  RequestEntityTooLarge: { status: 413, message: 'The request body is too large.' },
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
} as const;
export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export interface EmulatorReply {
  status: number;
  body: Record<string, unknown>;
  /** Stats outcome of this reply. */
  outcome: string;
  /** The AccessKeyId the request named, for the stats. */
  accessKeyId?: string;
}

export function gatewayError(
  code: GatewayErrorCode,
  requestId: string,
  host: string,
  detail?: string,
): EmulatorReply {
  const { status, message } = GATEWAY_ERRORS[code];
  return {
    status,
    outcome: code,
    body: {
      RequestId: requestId,
      HostId: host,
      Code: code,
      Message: detail ? `${message} ${detail}` : message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${code}&product=saf`,
    },
  };
}

interface DataFields {
  passed: 'true' | 'false';
  retCode: 'OK_SUCCESS' | 'SYSTEM_ERROR' | 'UNABLE_GET_IMAGE' | 'PROCESSING';
  retCodeSub: string;
  retMessage: string;
  extInfo?: { result: 'true' | 'false'; score: string; faceAttack: 'true' | 'false' };
}

/** A service answer; `Data` is serialised to a JSON string as the API does. */
export function serviceReply(
  code: 200 | 400 | 402 | 403 | 404 | 500,
  message: string,
  requestId: string,
  outcome: string,
  data?: DataFields,
): EmulatorReply {
  const body: Record<string, unknown> = {};
  if (data) body.Data = JSON.stringify(data);
  body.Message = message;
  body.RequestId = requestId;
  body.Code = code;
  return { status: code, body, outcome };
}

/** Code 500 `system error` with Data `SYSTEM_ERROR` and a sub-code: how the service answers a failure of its own. */
export function systemErrorReply(
  requestId: string,
  outcome: string,
  sub: string,
  retMessage: string,
): EmulatorReply {
  return serviceReply(500, 'system error', requestId, outcome, {
    passed: 'false',
    retCode: 'SYSTEM_ERROR',
    retCodeSub: sub,
    retMessage,
  });
}
