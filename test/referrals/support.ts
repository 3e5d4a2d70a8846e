import { Clock } from "../../src/modules/referrals/clock";
import { TestApp } from "../support/harness";

export const MPN = { contoso: "1000001", fabrikam: "1000002", northwind: "1000003", litware: "1000004", tailspin: "1000005", adatum: "1000006", lucerne: "1000007" } as const;

export const REFERRAL_FIELDS = `id name direction status substatus customerName customerContact { firstName lastName email phoneNumber } dealValue { amount currency }
  notes dealName expectedCloseDate responseNotes declineReason closeReason fromPartner { name mpnId } toPartner { name mpnId } assignedTo { id email }
  createdAt expiresAt respondedAt closedAt`;

const payload = `referral { ${REFERRAL_FIELDS} } userErrors { field code message } clientMutationId`;
export const REFERRAL_CREATE = `mutation($input: ReferralCreateInput!) { referralCreate(input: $input) { ${payload} } }`;
export const REFERRAL_ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${payload} } }`;
export const REFERRAL_DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${payload} } }`;
export const REFERRAL_CLOSE = `mutation($input: ReferralCloseInput!) { referralClose(input: $input) { ${payload} } }`;
export const REFERRAL_ASSIGN = `mutation($input: ReferralAssignInput!) { referralAssign(input: $input) { ${payload} } }`;
export const REFERRAL_NODE = `query($id: ID!) { node(id: $id) { ... on Referral { ${REFERRAL_FIELDS} } } }`;

/** A valid referralCreate input (to Fabrikam unless overridden). */
export function referralInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    toPartnerMpnId: MPN.fabrikam,
    name: "Bellows College: Microsoft 365 rollout",
    customerName: "Bellows College",
    customerContact: { firstName: "Dana", lastName: "Birkby", email: "dana.birkby@bellows.example", phoneNumber: "+1 425 555 0142" },
    dealValue: { amount: "25000.00", currency: "USD" },
    notes: "Wants to move 400 seats before the summer term.",
    ...overrides,
  };
}

export function acceptInput(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, dealName: "Bellows College M365", dealValue: { amount: "31000.50", currency: "usd" }, expectedCloseDate: "2099-06-30T00:00:00.000Z", notes: "Call booked.", ...overrides };
}

/** The referral service's clock of this test file's app (tests move time with it). */
export async function clockOf(app: TestApp): Promise<Clock> {
  return (await app.app.contextFor()).services.referrals.clock;
}

export const DAY = 86_400_000;
