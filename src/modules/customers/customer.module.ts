import { defineModule } from "../module";
import { Customer, CustomerDomain } from "./customer.entity";
import { CustomerResolver } from "./customer.resolver";
import { customerPlans } from "./customer.plans";
import { CustomerService } from "./customer.service";

declare module "../../services" {
  interface Services {
    customers: CustomerService;
  }
}

export const customersModule = defineModule({
  name: "customers",
  entities: [Customer, CustomerDomain],
  resolvers: [CustomerResolver],
  services: ({ dataSource }, { partners, audit, idempotency, indirectRelationships }) => ({
    customers: new CustomerService(dataSource, partners, audit, idempotency, indirectRelationships),
  }),
  fieldRules: {
    Query: {
      customers: "readCustomers",
      customer: "readCustomers",
      customerByDomain: "readCustomers",
      domainAvailability: "createCustomer",
      countryValidationRules: "authenticated",
    },
    Mutation: { customerCreate: "createCustomer", customerBillingProfileUpdate: "updateBillingProfile" },
    Customer: { billingProfile: "readBillingProfile", purchasePermissions: "readPurchasePermissions", auditRecords: "readAuditRecords" },
  },
  anonymousFields: ["Customer.id", "Customer.tenantId", "Customer.companyName"],
  plans: customerPlans,
  nodes: { Customer: { read: "readCustomers", fetch: (ctx, id) => ctx.services.customers.byId(ctx, id) } },
});
