import { Field, InputType, ObjectType } from "type-graphql";
import { transactionConflict, UserError, UserErrors } from "./errors";

@InputType()
export abstract class MutationInput {
  @Field(() => String, { nullable: true, description: "Echoed in the payload." })
  clientMutationId?: string | null;
}

@ObjectType({ simpleResolvers: true })
export abstract class MutationPayload {
  @Field(() => [UserError], { description: "Business rule and validation failures; empty on success." })
  userErrors: UserError[];

  @Field(() => String, { nullable: true })
  clientMutationId: string | null;
}

/**
 * The one mutation wrapper: runs the service call, turns expected failures
 * (thrown as UserErrors, after the transaction rolled back) into payload
 * `userErrors`, turns a transaction PostgreSQL aborted for a deadlock or a
 * serialization failure into a retryable SERVICE_UNAVAILABLE error (not a 500),
 * and echoes `clientMutationId`.
 */
export async function runMutation<P extends MutationPayload>(
  input: MutationInput,
  run: () => Promise<Omit<P, "userErrors" | "clientMutationId">>,
  /** What non-null payload fields hold when the mutation fails (e.g. an empty list). */
  onFailure: Partial<Omit<P, "userErrors" | "clientMutationId">> = {},
): Promise<P> {
  const clientMutationId = input.clientMutationId ?? null;
  try {
    const result = await run();
    return { ...result, userErrors: [], clientMutationId } as unknown as P;
  } catch (error) {
    if (error instanceof UserErrors) return { ...onFailure, userErrors: error.errors, clientMutationId } as unknown as P;
    // a deadlock victim (e.g. two writers of one resource's events, EventService.append) or a serialization failure: rolled back, retryable
    throw transactionConflict(error) ?? error;
  }
}
