import { registerEnumType } from "type-graphql";

export enum SubscriptionKind {
  LICENSE = "LICENSE",
  AZURE_PLAN = "AZURE_PLAN",
  AZURE_RESERVATION = "AZURE_RESERVATION",
  SOFTWARE = "SOFTWARE",
}
registerEnumType(SubscriptionKind, { name: "SubscriptionKind" });

export enum SubscriptionStatus {
  ACTIVE = "ACTIVE",
  SUSPENDED = "SUSPENDED",
  CANCELLED = "CANCELLED",
}
registerEnumType(SubscriptionStatus, { name: "SubscriptionStatus" });
