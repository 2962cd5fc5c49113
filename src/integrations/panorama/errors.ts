// Operational failures talking to Panorama or a firewall, as typed errors with a `code`. The
// API's own error codes are kept (`apiCode`) with the documented names, so a report says what
// the device said, and `retryable` says whether trying again can help.

/** What went wrong, in zonewall's terms. */
export type PanoramaErrorCode =
  | 'unreachable' // connection refused, reset, DNS
  | 'timeout' // no complete answer in time
  | 'tls' // certificate not trusted, or not the pinned one
  | 'http' // an HTTP status other than 200
  | 'auth' // 403, or API codes 16 (unauthorized) and 22 (session timed out)
  | 'api' // a well-formed error envelope
  | 'malformed' // not XML, truncated, or not a PAN-OS envelope
  | 'too-large' // a response over the size bound
  | 'config'; // bad client options (a missing key file, plain HTTP to a remote host)

/**
 * The PAN-OS XML API error codes and names, as documented ("PAN-OS XML API Error Codes",
 * https://docs.paloaltonetworks.com/pan-os/10-0/pan-os-panorama-api/get-started-with-the-pan-os-xml-api/pan-os-xml-api-error-codes).
 */
export const API_ERROR_NAMES: ReadonlyMap<number, string> = new Map([
  [400, 'Bad request'],
  [403, 'Forbidden'],
  [1, 'Unknown command'],
  [2, 'Internal error'],
  [3, 'Internal error'],
  [4, 'Internal error'],
  [5, 'Internal error'],
  [6, 'Bad Xpath'],
  [7, 'Object not present'],
  [8, 'Object not unique'],
  [10, 'Reference count not zero'],
  [11, 'Internal error'],
  [12, 'Invalid object'],
  [13, 'Object not found'],
  [14, 'Operation not possible'],
  [15, 'Operation denied'],
  [16, 'Unauthorized'],
  [17, 'Invalid command'],
  [18, 'Malformed command'],
  [19, 'Success'],
  [20, 'Success'],
  [21, 'Internal error'],
  [22, 'Session timed out'],
]);

/** API codes that mean the key or the role is wrong: never retried. */
const AUTH_CODES = new Set([403, 16, 22]);
/** The documented internal errors: the device may answer differently a moment later. */
const TRANSIENT_CODES = new Set([2, 3, 4, 5, 11, 21]);

export interface PanoramaErrorOptions {
  cause?: unknown;
  apiCode?: number;
  httpStatus?: number;
  retryable?: boolean;
}

/** A failed request to the XML API. */
export class PanoramaError extends Error {
  readonly code: PanoramaErrorCode;
  readonly apiCode: number | undefined;
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;

  constructor(code: PanoramaErrorCode, message: string, o: PanoramaErrorOptions = {}) {
    super(message, o.cause !== undefined ? { cause: o.cause } : undefined);
    this.name = 'PanoramaError';
    this.code = code;
    this.apiCode = o.apiCode;
    this.httpStatus = o.httpStatus;
    this.retryable = o.retryable ?? defaultRetryable(code, o);
  }
}

function defaultRetryable(code: PanoramaErrorCode, o: PanoramaErrorOptions): boolean {
  if (code === 'unreachable' || code === 'timeout') return true;
  if (code === 'http')
    return o.httpStatus !== undefined && (o.httpStatus >= 500 || o.httpStatus === 429);
  if (code === 'api') return o.apiCode !== undefined && TRANSIENT_CODES.has(o.apiCode);
  return false;
}

/** The error for an API error envelope: `auth` for the documented authorization codes. */
export function apiError(apiCode: number | undefined, detail: string): PanoramaError {
  const name = apiCode !== undefined ? API_ERROR_NAMES.get(apiCode) : undefined;
  const head =
    apiCode === undefined ? 'error' : `error ${apiCode}${name !== undefined ? ` (${name})` : ''}`;
  const message = `Panorama answered ${head}${detail ? `: ${detail}` : ''}`;
  const code = apiCode !== undefined && AUTH_CODES.has(apiCode) ? 'auth' : 'api';
  return new PanoramaError(code, message, apiCode !== undefined ? { apiCode } : {});
}
