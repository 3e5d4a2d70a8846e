import { requireViewer } from "../../auth/context";
import type { PlanSpecs } from "../../graphql/planner/spec";
import type { SortOrder } from "../../graphql/relay";
import { Referral } from "./referral.entity";
import type { ReferralFilter, ReferralOrder } from "./referral.inputs";
import { referralFilterConditions, referralVisibility } from "./referral.scope";
import { referralSortOrder } from "./referral.service";

/**
 * The clock reading of one `referrals` execution: the page and its totalCount
 * (which the planner builds again from the same arguments) decide expiry
 * against one instant, as the loader path's one query builder does.
 */
const nowOf = new WeakMap<object, Date>();

export const referralPlans: PlanSpecs = {
  roots: {
    // direction, status, substatus and closedAt (against the service's clock), the partners and the assignee resolve on these rows as before
    "Query.referrals": {
      kind: "connection",
      type: "Referral",
      entity: Referral,
      alias: "r",
      async query(ctx, args, bind, viewer) {
        const referrals = ctx.services.referrals;
        // FORBIDDEN for roles that may read no referrals, as the resolver's service call throws
        const assigned = referrals.access(ctx) === "assigned";
        const user = requireViewer(ctx).userId;
        let now = nowOf.get(args);
        if (!now) nowOf.set(args, (now = referrals.clock.now()));
        return {
          from: "referral r",
          where: [
            referralVisibility({ viewer, assignedTo: assigned ? bind(user) : null }),
            ...referralFilterConditions(args.filter as ReferralFilter | null | undefined, bind, { viewer, userId: user, now }),
          ],
          order: referralSortOrder(args.orderBy as ReferralOrder | null | undefined) as SortOrder<never>,
        };
      },
    },
  },
};
