import { auditModule } from "./audit/audit.module";
import { businessProfilesModule } from "./business-profile/business-profile.module";
import { customersModule } from "./customers/customer.module";
import { eventsModule } from "./events/events.module";
import { eventStreamsModule } from "./event-streams/event-stream.module";
import { idempotencyModule } from "./idempotency/idempotency.module";
import type { ModuleManifest } from "./module";
import { partnersModule } from "./partners/partner.module";
import { partnerUsersModule } from "./partner-users/partner-user.module";
import { referralsModule } from "./referrals/referral.module";
import { purchasePermissionsModule } from "./purchase-permissions/purchase-permission.module";
import { indirectRelationshipsModule } from "./relationships/indirect-relationship.module";
import { relationshipsModule } from "./relationships/relationship.module";
import { subscriptionsModule } from "./subscriptions/subscription.module";
import { webhooksModule } from "./webhooks/webhook.module";

/**
 * Every domain area, registered here and nowhere else. Order matters only for
 * services: a module's factory sees the services of the modules before it.
 */
export const MODULES: readonly ModuleManifest[] = [
  partnersModule,
  eventsModule,
  auditModule,
  partnerUsersModule,
  idempotencyModule,
  indirectRelationshipsModule,
  customersModule,
  subscriptionsModule,
  purchasePermissionsModule,
  relationshipsModule,
  businessProfilesModule,
  referralsModule,
  webhooksModule,
  eventStreamsModule,
];
