import { registerEnumType } from "type-graphql";

export enum PartnerRole {
  GLOBAL_ADMIN = "GLOBAL_ADMIN",
  USER_MANAGEMENT_ADMIN = "USER_MANAGEMENT_ADMIN",
  ADMIN_AGENT = "ADMIN_AGENT",
  SALES_AGENT = "SALES_AGENT",
  HELPDESK_AGENT = "HELPDESK_AGENT",
  BILLING_ADMIN = "BILLING_ADMIN",
  REFERRALS_ADMIN = "REFERRALS_ADMIN",
  REFERRALS_USER = "REFERRALS_USER",
  BUSINESS_PROFILE_ADMIN = "BUSINESS_PROFILE_ADMIN",
}

registerEnumType(PartnerRole, { name: "PartnerRole", description: "A partner user's role; a user holds one or more." });

export const ALL_ROLES: readonly PartnerRole[] = Object.values(PartnerRole);

export function isPartnerRole(value: unknown): value is PartnerRole {
  return typeof value === "string" && (ALL_ROLES as readonly string[]).includes(value);
}
