import { GraphQLError } from "graphql";
import { Field, ObjectType, registerEnumType } from "type-graphql";

/** Codes of payload `userErrors` (DOMAIN.md, Validation). */
export enum UserErrorCode {
  REQUIRED = "REQUIRED",
  INVALID = "INVALID",
  TOO_LONG = "TOO_LONG",
  INVALID_DOMAIN = "INVALID_DOMAIN",
  DOMAIN_TAKEN = "DOMAIN_TAKEN",
  INVALID_EMAIL = "INVALID_EMAIL",
  INVALID_COUNTRY = "INVALID_COUNTRY",
  INVALID_STATE = "INVALID_STATE",
  INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE",
  INVALID_CULTURE = "INVALID_CULTURE",
  INVALID_LANGUAGE = "INVALID_LANGUAGE",
  INVALID_PHONE = "INVALID_PHONE",
  INVALID_REGISTRATION_NUMBER = "INVALID_REGISTRATION_NUMBER",
  REGISTRATION_NUMBER_REQUIRED = "REGISTRATION_NUMBER_REQUIRED",
  REGISTRATION_NUMBER_NOT_ALLOWED = "REGISTRATION_NUMBER_NOT_ALLOWED",
  PHONE_REQUIRED = "PHONE_REQUIRED",
  NOT_FOUND = "NOT_FOUND",
  ALREADY_EXISTS = "ALREADY_EXISTS",
  ALREADY_GRANTED = "ALREADY_GRANTED",
  STALE_ETAG = "STALE_ETAG",
  IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED",
  INVALID_STATE_TRANSITION = "INVALID_STATE_TRANSITION",
  ACTIVE_SUBSCRIPTIONS = "ACTIVE_SUBSCRIPTIONS",
  ACTIVE_RESERVATIONS_OR_SOFTWARE = "ACTIVE_RESERVATIONS_OR_SOFTWARE",
  NO_AZURE_PLAN = "NO_AZURE_PLAN",
  REGION_MISMATCH = "REGION_MISMATCH",
  FEATURE_UNAVAILABLE_IN_CLOUD = "FEATURE_UNAVAILABLE_IN_CLOUD",
  MPA_NOT_SIGNED = "MPA_NOT_SIGNED",
  NOT_AN_INDIRECT_RESELLER = "NOT_AN_INDIRECT_RESELLER",
  NOT_AN_INDIRECT_PROVIDER = "NOT_AN_INDIRECT_PROVIDER",
  INVITATION_NOT_VALID = "INVITATION_NOT_VALID",
  NO_BUSINESS_PROFILE = "NO_BUSINESS_PROFILE",
  NO_RELATIONSHIP = "NO_RELATIONSHIP",
  LAST_GLOBAL_ADMIN = "LAST_GLOBAL_ADMIN",
  GLOBAL_ADMIN_REQUIRED = "GLOBAL_ADMIN_REQUIRED",
  /** A webhook URL that may not receive deliveries (in production: not https, or a loopback, private or link-local address). */
  URL_NOT_ALLOWED = "URL_NOT_ALLOWED",
  /** Asked again too soon (e.g. webhookTest, a few a minute per webhook); the message says when to retry. */
  RATE_LIMITED = "RATE_LIMITED",
}
registerEnumType(UserErrorCode, { name: "UserErrorCode" });

@ObjectType({ simpleResolvers: true, description: "A business rule or validation failure, pointing into the input." })
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path into the input, e.g. ["input", "billingProfile", "email"].' })
  field: string[] | null;

  @Field(() => UserErrorCode)
  code: UserErrorCode;

  @Field(() => String)
  message: string;
}

export type FieldPath = readonly (string | number)[];

export function userError(code: UserErrorCode, message: string, field: FieldPath | null = null): UserError {
  const error = new UserError();
  error.code = code;
  error.message = message;
  error.field = field ? ["input", ...field.map(String)] : null;
  return error;
}

/**
 * Thrown by services for expected failures; the mutation helper turns it into
 * payload `userErrors` after the transaction has rolled back.
 */
export class UserErrors extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join("; "));
    this.name = "UserErrors";
  }

  static of(code: UserErrorCode, message: string, field: FieldPath | null = null): UserErrors {
    return new UserErrors([userError(code, message, field)]);
  }
}

/** Codes of top-level GraphQL errors (API.md section 7). */
export type ApiErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "BAD_REQUEST"
  | "QUERY_TOO_COMPLEX"
  | "THROTTLED"
  | "SERVICE_UNAVAILABLE"
  | "STATEMENT_TIMEOUT"
  | "INTERNAL_SERVER_ERROR";

const HTTP_STATUS: Partial<Record<ApiErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  QUERY_TOO_COMPLEX: 400,
  THROTTLED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** The one way to build a top-level API error. */
export function apiError(code: ApiErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  const status = HTTP_STATUS[code];
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) },
  });
}

/** SQLSTATEs of a transaction PostgreSQL rolled back because of concurrent ones: retrying it may well succeed. */
const TRANSACTION_CONFLICTS = new Set(["40P01" /* deadlock_detected */, "40001" /* serialization_failure */]);

/**
 * The error a client gets for a transaction aborted by a deadlock or a serialization failure (a TypeORM
 * QueryFailedError or a pg error, whose message would name SQL): SERVICE_UNAVAILABLE (HTTP 503, which clients
 * retry), `extensions.retryable`, nothing of the statement; null for any other error.
 */
export function transactionConflict(error: unknown): GraphQLError | null {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e && typeof e === "object" ? (e.driverError?.code ?? e.code) : undefined;
  if (typeof code !== "string" || !TRANSACTION_CONFLICTS.has(code)) return null;
  return apiError("SERVICE_UNAVAILABLE", "This change collided with a concurrent one and was rolled back: nothing was changed. Retry it.", {
    retryable: true,
    reason: code === "40P01" ? "DEADLOCK" : "SERIALIZATION_FAILURE",
  });
}

export function forbidden(message = "You do not have permission to access this field."): GraphQLError {
  return apiError("FORBIDDEN", message);
}

export function badUserInput(message: string, argument?: string): GraphQLError {
  return apiError("BAD_USER_INPUT", message, argument ? { argument } : {});
}

/** BAD_USER_INPUT about the request as a whole (its variables or literals), before anything runs: HTTP 400, as Apollo answers its own. */
export function badRequestInput(message: string): GraphQLError {
  return apiError("BAD_USER_INPUT", message, { http: { status: 400 } });
}
