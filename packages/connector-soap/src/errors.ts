/**
 * SOAP failures → typed errors. A SOAP Fault (1.1 `faultcode`/`faultstring` or 1.2
 * `Code`/`Reason`) becomes a `SoapFaultError` naming the operation; an authentication fault or
 * HTTP 401/403 is `AUTHENTICATION_FAILED`; HTTP 5xx without a Fault, and network failures, are
 * retryable connection errors. The client's own error objects carry the request envelope (with
 * the WS-Security password), so they are never attached as `cause`.
 */
import { ConnectionFailedError, QueryError, SparkleError, TimeoutError, type SparkleErrorCode } from '@sparkle/core';

/** The fault of a parsed SOAP response, if it carries one. */
export interface SoapFault {
  code: string;
  /** SOAP 1.2 subcode (`AuthenticationFailure`), if any. */
  subcode?: string;
  message: string;
  /** `detail` as parsed, if any. */
  detail?: unknown;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (typeof value === 'object' && '$value' in value) return text((value as { $value: unknown }).$value);
  return undefined;
}

/** Reads the Fault out of the soap client's error (`root.Envelope.Body.Fault`). */
export function faultOf(error: unknown): SoapFault | undefined {
  const fault = (error as { root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } } } | null)?.root?.Envelope?.Body?.Fault;
  if (!fault || typeof fault !== 'object') return undefined;
  if ('faultcode' in fault || 'faultstring' in fault) {
    return { code: text(fault.faultcode) ?? 'unknown', message: text(fault.faultstring) ?? '', ...(fault.detail !== undefined ? { detail: fault.detail } : {}) };
  }
  const code = fault.Code as { Value?: unknown; Subcode?: { Value?: unknown } } | undefined;
  const reason = fault.Reason as { Text?: unknown } | undefined;
  const subcode = text(code?.Subcode?.Value);
  return { code: text(code?.Value) ?? 'unknown', ...(subcode ? { subcode } : {}), message: text(reason?.Text) ?? '', ...(fault.Detail !== undefined ? { detail: fault.Detail } : {}) };
}

const AUTH_FAULT = /(FailedAuthentication|InvalidSecurity|AuthenticationFailure|Unauthori[sz]ed|NotAuthorized|AccessDenied)/i;

/**
 * A SOAP Fault answered by the service.
 *
 * @example
 * ```ts
 * try { await soap.call('GetCustomer', { id: 7 }); }
 * catch (e) { if (SoapFaultError.isSoapFault(e)) console.log(e.operation, e.fault.code, e.fault.message); }
 * ```
 */
export class SoapFaultError extends SparkleError {
  readonly fault: SoapFault;
  readonly operation: string;
  readonly status: number | undefined;

  constructor(operation: string, fault: SoapFault, options: { connector: string; status?: number; redact: (t: string) => string }) {
    const auth = options.status === 401 || options.status === 403 || AUTH_FAULT.test(`${fault.code} ${fault.subcode ?? ''}`);
    const code: SparkleErrorCode = auth ? 'AUTHENTICATION_FAILED' : 'QUERY_FAILED';
    const hint = auth ? ' Check security.username and security.password (the WS-Security UsernameToken).' : '';
    const message = options.redact(fault.message);
    super(code, `soap: operation '${operation}' answered a SOAP Fault ${fault.code}${fault.subcode ? `/${fault.subcode}` : ''}: ${message}${options.status ? ` (HTTP ${options.status})` : ''}.${hint}`, {
      connector: options.connector,
      retryable: false,
      details: { operation, faultCode: fault.code, ...(fault.subcode ? { faultSubcode: fault.subcode } : {}), ...(options.status ? { status: options.status } : {}) },
    });
    this.fault = { ...fault, message };
    this.operation = operation;
    this.status = options.status;
  }

  /** True for a `SoapFaultError` (by name, so two installed copies agree). */
  static isSoapFault(value: unknown): value is SoapFaultError {
    return SparkleError.isInstance(value) && value.name === 'SoapFaultError';
  }
}

/** The typed error of a failed call (never carrying the client's error, which holds the envelope). */
export function soapError(error: unknown, options: { connector: string; operation: string; redact: (t: string) => string }): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const status = (error as { response?: { status?: number } } | null)?.response?.status;
  const fault = faultOf(error);
  if (fault) return new SoapFaultError(options.operation, fault, { connector: options.connector, ...(status ? { status } : {}), redact: options.redact });
  const code = (error as { code?: string } | null)?.code;
  const raw = options.redact(String((error as Error)?.message ?? error)).slice(0, 300);
  const details = { operation: options.operation, ...(status ? { status } : {}), ...(code ? { errno: code } : {}) };
  if (status === 401 || status === 403) {
    return new SparkleError('AUTHENTICATION_FAILED', `soap: operation '${options.operation}' was refused with HTTP ${status}; check 'security' (and 'headers'/'auth' for HTTP-level credentials)`, { connector: options.connector, details });
  }
  if (status !== undefined && status >= 500) {
    return new ConnectionFailedError(`soap: operation '${options.operation}' failed with HTTP ${status} and no SOAP Fault: ${raw}`, { connector: options.connector, details });
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(raw)) {
    return new TimeoutError(`soap: operation '${options.operation}' timed out (raise 'timeoutMs'): ${raw}`, { connector: options.connector, details });
  }
  if (code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test(code)) {
    return new ConnectionFailedError(`soap: operation '${options.operation}' could not reach the service (${code}); check 'endpoint' or the WSDL's address`, { connector: options.connector, details });
  }
  return new QueryError(`soap: operation '${options.operation}' failed${status ? ` with HTTP ${status}` : ''}: ${raw}`, { connector: options.connector, details });
}
