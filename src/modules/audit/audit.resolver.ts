import { Arg, Args, Ctx, Field, FieldResolver, ID, InputType, Query, Resolver, Root } from "type-graphql";
import { RequestContext } from "../../auth/context";
import { ConnectionArgs, ConnectionType } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { Customer } from "../customers/customer.entity";
import { AuditRecord } from "./audit-record.entity";
import { auditCustomerIdArgument } from "./audit.scope";

export const AuditRecordConnection = ConnectionType(AuditRecord, "AuditRecord");

@InputType()
export class AuditRecordFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => String, { nullable: true, description: "e.g. customer, subscription." })
  resourceType?: string | null;

  @Field(() => String, { nullable: true, description: "e.g. add_customer, update_customer_billing_profile." })
  operationType?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Inclusive." })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Exclusive." })
  to?: Date | null;
}

@Resolver(() => AuditRecord)
export class AuditRecordResolver {
  @Query(() => AuditRecordConnection, { nullable: true, description: "The caller's partner's change feed, oldest first (use `last` for the newest)." })
  auditRecords(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => AuditRecordFilter, { nullable: true }) filter: AuditRecordFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    const f = filter ?? {};
    return ctx.services.audit.list(ctx, { ...f, customerId: auditCustomerIdArgument(f.customerId) }, args);
  }

  @FieldResolver(() => Customer, { nullable: true, description: "null once the caller no longer serves the customer." })
  customer(@Root() record: AuditRecord, @Ctx() ctx: RequestContext) {
    return record.customerId ? ctx.services.customers.byId(ctx, record.customerId) : null;
  }
}
