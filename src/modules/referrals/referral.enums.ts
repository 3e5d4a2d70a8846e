import { registerEnumType } from "type-graphql";

/** Relative to the viewer: the receiver sees INCOMING, the sender OUTGOING, of the same referral. */
export enum ReferralDirection {
  INCOMING = "INCOMING",
  OUTGOING = "OUTGOING",
}
registerEnumType(ReferralDirection, { name: "ReferralDirection" });

export enum ReferralStatus {
  NEW = "NEW",
  ACTIVE = "ACTIVE",
  CLOSED = "CLOSED",
}
registerEnumType(ReferralStatus, { name: "ReferralStatus" });

/** NEW shows PENDING to the sender and RECEIVED to the receiver; EXPIRED follows from `expiresAt` (computed, never stored). */
export enum ReferralSubstatus {
  PENDING = "PENDING",
  RECEIVED = "RECEIVED",
  ACCEPTED = "ACCEPTED",
  WON = "WON",
  LOST = "LOST",
  DECLINED = "DECLINED",
  EXPIRED = "EXPIRED",
}
registerEnumType(ReferralSubstatus, { name: "ReferralSubstatus" });

/** How `referralClose` ends an ACTIVE referral. */
export enum ReferralOutcome {
  WON = "WON",
  LOST = "LOST",
}
registerEnumType(ReferralOutcome, { name: "ReferralOutcome" });

export enum ReferralOrderField {
  CREATED_AT = "CREATED_AT",
  EXPIRES_AT = "EXPIRES_AT",
  DEAL_VALUE = "DEAL_VALUE",
}
registerEnumType(ReferralOrderField, { name: "ReferralOrderField" });

/** What the database stores: NEW (unanswered; EXPIRED once past `expires_at`), ACTIVE/ACCEPTED, CLOSED/WON|LOST|DECLINED. */
export type StoredReferralStatus = "NEW" | "ACTIVE" | "CLOSED";
export type StoredReferralSubstatus = "ACCEPTED" | "WON" | "LOST" | "DECLINED" | null;
