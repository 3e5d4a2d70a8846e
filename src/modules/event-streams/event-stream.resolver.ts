import { GraphQLID } from "graphql";
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { requireViewer, RequestContext } from "../../auth/context";
import { apiError, badUserInput } from "../../graphql/errors";
import { decodeGlobalId, idOfType } from "../../graphql/relay";
import { filterStream, Stream } from "../../graphql/streams";
import { Customer } from "../customers/customer.entity";
import type { DomainEvent } from "../events/domain-event.entity";
import type { SubscriptionField } from "../module";
import { Referral } from "../referrals/referral.entity";
import { RelationshipRequest } from "../relationships/relationship-request.entity";
import { CustomerEvent, ReferralEvent, RelationshipRequestEvent, ResourceEvent } from "./event-stream.types";

/** The caller's partner's events about objects of one GraphQL type (and, given `id`, about that one object). */
function eventsAbout(ctx: RequestContext, nodeType: string, id: string | null = null): Promise<Stream<DomainEvent>> {
  const viewer = requireViewer(ctx);
  if (!ctx.eventFeed) throw apiError("BAD_REQUEST", "Subscriptions are served over WebSocket (graphql-ws) on /graphql.");
  return ctx.eventFeed.subscribe(viewer.partnerId, (event) => {
    const resource = decodeGlobalId(event.resourceId);
    return resource?.type === nodeType && (id === null || resource.id === id);
  });
}

/**
 * Pushed events (graphql-ws on /graphql, src/server/websocket.ts): each
 * field streams the caller's partner's events of one kind, and each event
 * runs as a request of its own, so the object it carries is read as it is
 * when the event is sent.
 */
export const EVENT_STREAM_FIELDS: Record<string, SubscriptionField> = {
  customerEvents: {
    type: "CustomerEvent",
    description: "Changes of the caller's customers (or of the one `customerId` names) from now on.",
    args: { customerId: { type: GraphQLID } },
    subscribe(ctx, args) {
      const customerId = args.customerId as string | null | undefined;
      if (customerId == null) return eventsAbout(ctx, "Customer");
      const id = idOfType(customerId, "Customer");
      if (!id) throw badUserInput("`customerId` is not a customer id.", "customerId");
      return eventsAbout(ctx, "Customer", id);
    },
    resolve: (event) => new CustomerEvent(event as DomainEvent),
  },
  relationshipRequestEvents: {
    type: "RelationshipRequestEvent",
    description: "Changes of the caller's invitations from now on.",
    subscribe: (ctx) => eventsAbout(ctx, "RelationshipRequest"),
    resolve: (event) => new RelationshipRequestEvent(event as DomainEvent),
  },
  referralEvents: {
    type: "ReferralEvent",
    description: "Referrals the caller's partner sends or receives, and their changes, from now on (a Referrals user: those assigned to it).",
    /** Referrals users see only the referrals assigned to them (ReferralService decides): their stream keeps just those. */
    async subscribe(ctx) {
      const referrals = ctx.services.referrals;
      const access = referrals.access(ctx); // FORBIDDEN for roles that read no referral
      const events = await eventsAbout(ctx, "Referral");
      if (access === "all") return events;
      return filterStream(events, (event) => {
        const id = idOfType(event.resourceId, "Referral");
        return id ? referrals.scoped(ctx).andWhere("r.id = :id", { id }).getExists() : Promise.resolve(false);
      });
    },
    resolve: (event) => new ReferralEvent(event as DomainEvent),
  },
};

/** The object an event is about, through its module's service (its partner scope); null for an id of another type. */
async function resource<T>(event: ResourceEvent, nodeType: string, byId: (id: string) => Promise<T | null>): Promise<T | null> {
  const id = idOfType(event.resourceId, nodeType);
  return id ? byId(id) : null;
}

@Resolver(() => CustomerEvent)
export class CustomerEventResolver {
  @FieldResolver(() => Customer, { nullable: true, description: "The customer as it is now; null when the caller no longer sees it (e.g. after relationship.removed)." })
  customer(@Root() event: CustomerEvent, @Ctx() ctx: RequestContext) {
    return resource(event, "Customer", (id) => ctx.services.customers.byId(ctx, id));
  }
}

@Resolver(() => RelationshipRequestEvent)
export class RelationshipRequestEventResolver {
  @FieldResolver(() => RelationshipRequest, { nullable: true, description: "The invitation as it is now." })
  relationshipRequest(@Root() event: RelationshipRequestEvent, @Ctx() ctx: RequestContext) {
    return resource(event, "RelationshipRequest", (id) => ctx.services.relationships.byId(ctx, id));
  }
}

@Resolver(() => ReferralEvent)
export class ReferralEventResolver {
  @FieldResolver(() => Referral, { nullable: true, description: "The referral as it is now." })
  referral(@Root() event: ReferralEvent, @Ctx() ctx: RequestContext) {
    return resource(event, "Referral", (id) => ctx.services.referrals.byId(ctx, id));
  }
}
