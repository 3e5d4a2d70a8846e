import { defineModule, SUBSCRIPTION_ROOT } from "../module";
import { CustomerEventResolver, EVENT_STREAM_FIELDS, ReferralEventResolver, RelationshipRequestEventResolver } from "./event-stream.resolver";
import { CustomerEvent, ReferralEvent, RelationshipRequestEvent } from "./event-stream.types";

/**
 * GraphQL subscriptions on the outbox (src/modules/events): the events reach
 * this instance through its EventFeed (src/server/event-feed.ts) and the
 * WebSocket transport is src/server/websocket.ts. A field needs the read
 * capability of its objects; referrals decide in ReferralService, as their queries do.
 */
export const eventStreamsModule = defineModule({
  name: "event-streams",
  resolvers: [CustomerEventResolver, RelationshipRequestEventResolver, ReferralEventResolver],
  subscriptions: { types: [CustomerEvent, RelationshipRequestEvent, ReferralEvent], fields: EVENT_STREAM_FIELDS },
  fieldRules: {
    [SUBSCRIPTION_ROOT]: {
      customerEvents: "readCustomers",
      relationshipRequestEvents: "manageRelationshipRequests",
      referralEvents: "authenticated",
    },
  },
});
