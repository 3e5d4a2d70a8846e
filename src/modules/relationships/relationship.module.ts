import { defineModule } from "../module";
import { relationshipPlans } from "./relationship.plans";
import { CustomerRelationship } from "./customer-relationship.entity";
import { invitationSecretOf } from "./invitation-token";
import { RelationshipRequest } from "./relationship-request.entity";
import { RelationshipResolver } from "./relationship.resolver";
import { RelationshipService } from "./relationship.service";

declare module "../../services" {
  interface Services {
    relationships: RelationshipService;
  }
}

/** Customer relationships and the invitations (relationship requests) that establish them. */
export const relationshipsModule = defineModule({
  name: "relationships",
  plans: relationshipPlans,
  entities: [CustomerRelationship, RelationshipRequest],
  resolvers: [RelationshipResolver],
  // after subscriptions and purchase-permissions in MODULES: a removal suspends and revokes through their services
  services: ({ dataSource, config }, { customers, partners, indirectRelationships, subscriptions, purchasePermissions, audit, idempotency, events }) => ({
    relationships: new RelationshipService(dataSource, customers, partners, indirectRelationships, subscriptions, purchasePermissions, audit, idempotency, invitationSecretOf(config), events),
  }),
  fieldRules: {
    Query: { relationshipRequests: "manageRelationshipRequests" },
    Mutation: {
      relationshipRequestCreate: "manageRelationshipRequests",
      relationshipRequestCancel: "manageRelationshipRequests",
      relationshipRequestAccept: "public", // the customer's side: the invitation token is the credential
      relationshipRemove: "removeRelationship",
    },
    RelationshipRequest: { invitationUrl: "manageRelationshipRequests" },
  },
  // what the customer's admin may read of an acceptance without a bearer token (with Customer's own fields)
  anonymousFields: [
    "Mutation.relationshipRequestAccept",
    "RelationshipRequestAcceptPayload.relationshipRequest",
    "RelationshipRequestAcceptPayload.customer",
    "RelationshipRequestAcceptPayload.userErrors",
    "RelationshipRequestAcceptPayload.clientMutationId",
    "RelationshipRequest.id",
    "RelationshipRequest.status",
  ],
  nodes: { RelationshipRequest: { read: "manageRelationshipRequests", fetch: (ctx, id) => ctx.services.relationships.byId(ctx, id) } },
});
