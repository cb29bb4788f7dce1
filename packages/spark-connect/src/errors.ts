/**
 * Turns gRPC failures into Sparkle's typed errors, with Spark's own error class and message
 * taken from the `grpc-status-details-bin` trailer when the server sent one.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { AuthenticationError, ConnectionFailedError, QueryError, SparkleError, TimeoutError } from '@sparkle/core';
import { ErrorInfoSchema, StatusSchema } from './gen/google/rpc/status_pb.js';
import type { FetchErrorDetailsResponse } from './gen/spark/connect/base_pb.js';
import { isRetryableGrpcError } from './retry.js';

export const CONNECTOR = 'spark-connect';

/** What Spark said about a failure, from the status details. */
export interface SparkErrorInfo {
  /** Spark's error class, e.g. `TABLE_OR_VIEW_NOT_FOUND`. */
  errorClass?: string;
  sqlState?: string;
  /** The JVM exception class (ErrorInfo.reason), e.g. `org.apache.spark.sql.AnalysisException`. */
  exceptionClass?: string;
  /** Id for FetchErrorDetails, when the server keeps the full error (Spark 3.5+). */
  errorId?: string;
  /** Spark's message parameters (`{ relationName: '`t`' }`), when the server sent them. */
  messageParameters?: Record<string, string>;
  message: string;
}

function isServiceError(error: unknown): error is ServiceError {
  return typeof error === 'object' && error !== null && typeof (error as ServiceError).code === 'number' && 'details' in error;
}

/** Reads Spark's error details from a gRPC error (status message plus ErrorInfo metadata). */
export function sparkErrorInfo(error: ServiceError): SparkErrorInfo {
  const info: SparkErrorInfo = { message: error.details || error.message };
  const raw = error.metadata instanceof Metadata ? error.metadata.get('grpc-status-details-bin')[0] : undefined;
  if (!raw || typeof raw === 'string') return info;
  try {
    const status = fromBinary(StatusSchema, raw);
    if (status.message) info.message = status.message;
    for (const detail of status.details) {
      if (!detail.typeUrl.endsWith('/google.rpc.ErrorInfo')) continue;
      const errorInfo = fromBinary(ErrorInfoSchema, detail.value);
      if (errorInfo.reason) info.exceptionClass = errorInfo.reason;
      const md = errorInfo.metadata;
      if (md.errorClass) info.errorClass = md.errorClass;
      if (md.sqlState) info.sqlState = md.sqlState;
      if (md.errorId) info.errorId = md.errorId;
      if (md.messageParameters) {
        try {
          info.messageParameters = JSON.parse(md.messageParameters) as Record<string, string>;
        } catch {
          // Not JSON: FetchErrorDetails can still supply them.
        }
      }
    }
  } catch {
    // Details we cannot decode are left out; the status message still says what happened.
  }
  return info;
}

/**
 * Maps a gRPC error to a Sparkle error: UNAVAILABLE → ConnectionFailedError (retryable),
 * UNAUTHENTICATED / PERMISSION_DENIED → AuthenticationError, DEADLINE_EXCEEDED → TimeoutError,
 * CANCELLED → ABORTED, anything else → QueryError carrying Spark's error class. `redact` removes
 * secrets (tokens, passwords in options) from the message.
 */
export function toSparkleError(error: unknown, what: string, redact: (text: string) => string = (t) => t): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  if (!isServiceError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new QueryError(redact(`${what} failed: ${message}`), { connector: CONNECTOR, cause: error });
  }
  const info = sparkErrorInfo(error);
  // Spark 4 already starts its message with `[ERROR_CLASS]` (parse errors after a newline); say the class once.
  const text = info.message.trim();
  const prefix = info.errorClass && !text.startsWith(`[${info.errorClass}]`) ? `[${info.errorClass}] ` : '';
  const message = redact(`${what} failed: ${prefix}${text}`);
  const details: Record<string, unknown> = { grpcCode: GrpcStatus[error.code] ?? error.code };
  if (info.errorClass) details.errorClass = info.errorClass;
  if (info.sqlState) details.sqlState = info.sqlState;
  if (info.exceptionClass) details.exceptionClass = info.exceptionClass;
  if (info.errorId) details.errorId = info.errorId;
  if (info.messageParameters) details.messageParameters = redactRecord(info.messageParameters, redact);
  // The gRPC error's own text repeats the server message; keep it out of `cause` when redacting.
  const cause = new Error(redact(error.message));
  const options = { connector: CONNECTOR, cause, details };
  switch (error.code) {
    case GrpcStatus.UNAVAILABLE:
      return new ConnectionFailedError(message, options);
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.PERMISSION_DENIED:
      return new AuthenticationError(message, options);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new TimeoutError(message, options);
    case GrpcStatus.CANCELLED:
      return new SparkleError('ABORTED', message, { ...options, retryable: false });
    default:
      return new QueryError(message, { ...options, retryable: isRetryableGrpcError(error) });
  }
}

function redactRecord(record: Record<string, string>, redact: (text: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redact(String(v))]));
}

/**
 * Adds FetchErrorDetails' answer to an error (in place): error class, SQL state, message
 * parameters, query contexts, the exception class hierarchy and the causes' messages. When the
 * status message was cut short (gRPC trailers are size-limited), the full root message replaces it.
 */
export function enrichWithDetails(error: SparkleError, response: FetchErrorDetailsResponse, redact: (text: string) => string): SparkleError {
  const root = response.rootErrorIdx === undefined ? undefined : response.errors[response.rootErrorIdx];
  if (!root) return error;
  const details = error.details;
  const t = root.sparkThrowable;
  if (t?.errorClass) details.errorClass = t.errorClass;
  if (t?.sqlState) details.sqlState = t.sqlState;
  if (t && Object.keys(t.messageParameters).length) details.messageParameters = redactRecord(t.messageParameters, redact);
  if (t?.queryContexts.length) {
    details.queryContext = t.queryContexts.map((q) => ({ fragment: redact(q.fragment), startIndex: q.startIndex, stopIndex: q.stopIndex, ...(q.objectName ? { objectName: q.objectName } : {}) }));
  }
  if (root.errorTypeHierarchy.length) details.exceptionClasses = [...root.errorTypeHierarchy];
  const causes: string[] = [];
  for (let i = root.causeIdx, hops = 0; i !== undefined && hops < response.errors.length; hops++) {
    const cause = response.errors[i];
    if (!cause) break;
    causes.push(redact(`${cause.errorTypeHierarchy[0] ?? 'Error'}: ${cause.message}`));
    i = cause.causeIdx;
  }
  if (causes.length) details.causes = causes;
  details.enriched = true;
  // Spark puts a newline before a parse error's class: trim, or the class would be said twice.
  const full = redact(root.message).trim();
  if (full && !error.message.includes(full)) {
    const at = error.message.indexOf(' failed: ');
    const prefix = at >= 0 ? error.message.slice(0, at + ' failed: '.length) : '';
    const cls = t?.errorClass && !full.startsWith(`[${t.errorClass}]`) ? `[${t.errorClass}] ` : '';
    (error as { message: string }).message = `${prefix}${cls}${full}`;
  }
  return error;
}
