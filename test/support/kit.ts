import { customerInput, CUSTOMER_CREATE, SUBSCRIPTION_CREATE } from "./fixtures";
import { Caller, dataOf } from "./harness";

/**
 * The test kit: ids and small seeds that several test files need, written
 * once. Seeds go through the API (the caller's own mutations), so they hold
 * exactly what a partner app could have made.
 */
export { dbIdOf, globalIdOf } from "./ids";

export interface SeededCustomer {
  id: string;
  tenantId: string;
  defaultDomain: string;
  subscriptions: { id: string; kind: string; status: string }[];
}

/**
 * A new customer of the caller's partner (customerInput() with `overrides`)
 * with one ACTIVE subscription of each kind given, in that order (offer name
 * `Offer <kind>`, quantity 1).
 */
export async function customerWithSubscriptions(caller: Caller, kinds: readonly string[] = [], overrides: Record<string, any> = {}): Promise<SeededCustomer> {
  const created = dataOf(await caller.run(CUSTOMER_CREATE, { input: customerInput(overrides) })).customerCreate;
  if (created.userErrors.length > 0) throw new Error(`customerCreate refused: ${JSON.stringify(created.userErrors)}`);
  const subscriptions = [];
  for (const kind of kinds) {
    const sold = dataOf(await caller.run(SUBSCRIPTION_CREATE, { input: { customerId: created.customer.id, offerName: `Offer ${kind}`, kind, quantity: 1 } })).subscriptionCreate;
    if (sold.userErrors.length > 0) throw new Error(`subscriptionCreate refused: ${JSON.stringify(sold.userErrors)}`);
    subscriptions.push(sold.subscription);
  }
  return { id: created.customer.id, tenantId: created.customer.tenantId, defaultDomain: created.customer.defaultDomain, subscriptions };
}
