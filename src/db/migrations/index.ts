import { InitialSchema1732300000000 } from "./1732300000000-initial-schema";
import { RelationshipRequests1732400000000 } from "./1732400000000-relationship-requests";
import { PerPartnerBillingProfile1732550000000 } from "./1732550000000-per-partner-billing-profile";
import { BusinessProfiles1732600000000 } from "./1732600000000-business-profiles";
import { PartnerUserRoles1732610000000 } from "./1732610000000-partner-user-roles";
import { Referrals1732620000000 } from "./1732620000000-referrals";
import { EventsAndWebhooks1732700000000 } from "./1732700000000-events-and-webhooks";
import { DomainEventXid1732710000000 } from "./1732710000000-domain-event-xid";

/** The schema's history, oldest first: a new migration is a file here and a line below. */
export const migrations = [InitialSchema1732300000000, RelationshipRequests1732400000000, PerPartnerBillingProfile1732550000000, BusinessProfiles1732600000000, PartnerUserRoles1732610000000, Referrals1732620000000, EventsAndWebhooks1732700000000, DomainEventXid1732710000000];
