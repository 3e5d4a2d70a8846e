import { Reads } from "../../graphql/planner/reads";
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { requireViewer, RequestContext } from "../../auth/context";
import { then } from "../../graphql/loaders";
import { runMutation } from "../../graphql/mutation";
import { ConnectionArgs, ConnectionType } from "../../graphql/relay";
import { AuditRecordConnection } from "../audit/audit.resolver";
import { Partner } from "../partners/partner.entity";
import { PurchasePermission } from "../purchase-permissions/purchase-permission.entity";
import { CustomerRelationship } from "../relationships/customer-relationship.entity";
import { SubscriptionConnection } from "../subscriptions/subscription.resolver";
import { countryRules } from "./country-rules";
import { CountryValidationRules } from "./country-rules.type";
import { Customer } from "./customer.entity";
import {
  CustomerBillingProfileUpdateInput,
  CustomerBillingProfileUpdatePayload,
  CustomerCreateInput,
  CustomerCreatePayload,
  CustomerFilter,
  CustomerOrder,
  DomainAvailability,
} from "./customer.inputs";

export const CustomerConnection = ConnectionType(Customer, "Customer");

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => CustomerConnection, { nullable: true, description: "The caller's customers (null with a FORBIDDEN error when the caller's roles may not list them)." })
  customers(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null,
    @Arg("orderBy", () => CustomerOrder, { nullable: true, description: "Default: COMPANY_NAME ASC." }) orderBy: CustomerOrder | null,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.customers.list(ctx, filter, orderBy, args);
  }

  @Query(() => Customer, { nullable: true })
  customer(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext) {
    return ctx.services.customers.byGlobalId(ctx, id);
  }

  @Query(() => Customer, { nullable: true, description: "By any of its domains, e.g. contoso.onmicrosoft.com (any case)." })
  customerByDomain(@Arg("domain", () => String) domain: string, @Ctx() ctx: RequestContext) {
    return ctx.services.customers.byDomain(ctx, domain);
  }

  @Query(() => DomainAvailability, { nullable: true, description: "Whether customerCreate would accept this default domain." })
  domainAvailability(@Arg("domain", () => String) domain: string, @Ctx() ctx: RequestContext) {
    return ctx.services.customers.domainAvailability(domain);
  }

  @Query(() => CountryValidationRules, { nullable: true, description: "null for a code that is not ISO 3166-1 alpha-2." })
  countryValidationRules(@Arg("country", () => String) country: string): CountryValidationRules | null {
    return countryRules(country.trim());
  }

  @Mutation(() => CustomerCreatePayload, { nullable: true })
  customerCreate(@Arg("input", () => CustomerCreateInput) input: CustomerCreateInput, @Ctx() ctx: RequestContext) {
    return runMutation<CustomerCreatePayload>(input, () => ctx.services.customers.create(ctx, input));
  }

  @Mutation(() => CustomerBillingProfileUpdatePayload, { nullable: true })
  customerBillingProfileUpdate(@Arg("input", () => CustomerBillingProfileUpdateInput) input: CustomerBillingProfileUpdateInput, @Ctx() ctx: RequestContext) {
    return runMutation<CustomerBillingProfileUpdatePayload>(input, () => ctx.services.customers.updateBillingProfile(ctx, input));
  }

  @FieldResolver(() => [String], { description: "Every domain of the customer, the default first." })
  @Reads("id")
  domains(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.services.customers.domains(ctx, customer);
  }

  @FieldResolver(() => CustomerRelationship, { nullable: true, description: "The caller's partner's relationship with this customer." })
  @Reads("scopeRelationship.partnerId", { selection: "scopeRelationship" })
  relationship(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.services.customers.relationship(ctx, customer);
  }

  @FieldResolver(() => Boolean, { description: "Equals relationship.delegatedAdmin." })
  @Reads("scopeRelationship.partnerId", "scopeRelationship.delegatedAdmin")
  delegatedAdmin(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return then(ctx.services.customers.relationship(ctx, customer), (own) => own?.delegatedAdmin ?? false);
  }

  @FieldResolver(() => Partner, { nullable: true, description: "The reseller a provider serves this customer through, or sees it through (a linked reseller's customer)." })
  @Reads("scopeRelationship.partnerId", "scopeRelationship.indirectResellerId")
  indirectReseller(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return then(ctx.services.customers.indirectResellerIdOf(ctx, customer), (id) => (id ? ctx.services.partners.byId(ctx, id) : null));
  }

  @FieldResolver(() => Partner, { nullable: true, description: "The provider a reseller serves this customer through." })
  @Reads("scopeRelationship.partnerId", "scopeRelationship.indirectProviderId")
  indirectProvider(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return then(ctx.services.customers.relationship(ctx, customer), (own) => (own?.indirectProviderId ? ctx.services.partners.byId(ctx, own.indirectProviderId) : null));
  }

  @FieldResolver(() => SubscriptionConnection, { description: "Subscriptions the caller's partner sold this customer, oldest first." })
  @Reads("id")
  subscriptions(@Root() customer: Customer, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: RequestContext) {
    return ctx.services.subscriptions.forCustomer(ctx, customer.id, args);
  }

  @FieldResolver(() => [PurchasePermission], { nullable: true, description: "What the caller's partner lets this customer buy itself." })
  @Reads("id")
  purchasePermissions(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.services.purchasePermissions.forCustomer(ctx, customer.id);
  }

  @FieldResolver(() => AuditRecordConnection, { nullable: true, description: "The caller's partner's changes to this customer, oldest first." })
  @Reads("id")
  auditRecords(@Root() customer: Customer, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: RequestContext) {
    requireViewer(ctx);
    return ctx.services.audit.forCustomer(ctx, customer.id, args);
  }
}
