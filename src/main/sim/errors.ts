/**
 * Binance error replies: HTTP status + `{"code":N,"msg":"..."}`, with the codes and messages of
 * https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/errors.md. Handlers throw SimError; the HTTP and WS API layers turn it into the reply.
 */
export class SimError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    msg: string,
    /** Extra headers for the REST reply (e.g. Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(msg);
    this.name = 'SimError';
  }
  toJSON(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

export const errors = {
  unknown: () => new SimError(500, -1000, 'An unknown error occurred while processing the request.'),
  disconnected: () => new SimError(500, -1001, 'Internal error; unable to process your request. Please try again.'),
  unauthorized: () => new SimError(401, -1002, 'You are not authorized to execute this request.'),
  tooManyRequests: (msg: string, retryAfterSec: number, status = 429) =>
    new SimError(status, -1003, msg, { 'Retry-After': String(retryAfterSec) }),
  unexpectedResp: () => new SimError(500, -1006, 'An unexpected response was received from the message bus. Execution status unknown.'),
  timeout: () =>
    new SimError(500, -1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.'),
  serverBusy: () => new SimError(503, -1008, 'Server is currently overloaded with other requests. Please try again in a few minutes.'),
  unknownOrderComposition: () => new SimError(400, -1014, 'Unsupported order combination.'),
  tooManyOrders: (msg: string) => new SimError(429, -1015, msg),
  unsupportedOperation: () => new SimError(400, -1020, 'This operation is not supported.'),
  invalidTimestampWindow: () => new SimError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  invalidTimestampAhead: () => new SimError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  invalidSignature: () => new SimError(400, -1022, 'Signature for this request is not valid.'),
  illegalChars: (param: string) =>
    new SimError(400, -1100, `Illegal characters found in parameter '${param}'; legal range is '^[a-zA-Z0-9-_.]{1,36}$'.`),
  // https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/errors.md § -1101: the duplicate message names no parameter.
  tooManyParameters: () => new SimError(400, -1101, 'Duplicate values for a parameter detected.'),
  mandatoryParamMissing: (param: string) =>
    new SimError(400, -1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  unknownParam: (param: string) => new SimError(400, -1103, `An unknown parameter was sent: ${param}`),
  unreadParameters: (read: number, sent: number) =>
    new SimError(400, -1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`),
  paramEmpty: (param: string) => new SimError(400, -1105, `Parameter '${param}' was empty.`),
  paramNotRequired: (param: string) => new SimError(400, -1106, `Parameter '${param}' sent when not required.`),
  badPrecision: (param: string) => new SimError(400, -1111, `Parameter '${param}' has too much precision.`),
  invalidTif: () => new SimError(400, -1115, 'Invalid timeInForce.'),
  invalidOrderType: () => new SimError(400, -1116, 'Invalid orderType.'),
  invalidSide: () => new SimError(400, -1117, 'Invalid side.'),
  badSymbol: () => new SimError(400, -1121, 'Invalid symbol.'),
  invalidListenKey: () => new SimError(400, -1125, 'This listenKey does not exist.'),
  invalidInterval: () => new SimError(400, -1120, 'Invalid interval.'),
  invalidParameter: (param: string, why = 'malformed') =>
    new SimError(400, -1100, `Illegal characters found in parameter '${param}'; ${why}.`),
  invalidParamValue: (msg: string) => new SimError(400, -1130, msg),
  newOrderRejected: (msg: string) => new SimError(400, -2010, msg),
  cancelRejected: (msg: string) => new SimError(400, -2011, msg),
  noSuchOrder: () => new SimError(400, -2013, 'Order does not exist.'),
  badApiKeyFormat: () => new SimError(401, -2014, 'API-key format invalid.'),
  rejectedMbxKey: () => new SimError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  filterFailure: (filter: string) => new SimError(400, -1013, `Filter failure: ${filter}`),
} as const;
