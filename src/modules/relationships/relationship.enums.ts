import { registerEnumType } from "type-graphql";

export enum RelationshipStatus {
  ACTIVE = "ACTIVE",
  REMOVED = "REMOVED",
}
registerEnumType(RelationshipStatus, { name: "RelationshipStatus" });

export enum RelationshipType {
  RESELLER = "RESELLER",
  ADVISOR = "ADVISOR",
}
registerEnumType(RelationshipType, { name: "RelationshipType" });

export enum EstablishedVia {
  CREATED = "CREATED",
  INVITATION = "INVITATION",
}
registerEnumType(EstablishedVia, { name: "EstablishedVia" });

export enum IndirectRelationshipStatus {
  PENDING = "PENDING",
  ACTIVE = "ACTIVE",
  REMOVED = "REMOVED",
}
registerEnumType(IndirectRelationshipStatus, { name: "IndirectRelationshipStatus" });

/** What a relationship request shows: EXPIRED is computed from its expiry time. */
export enum RelationshipRequestStatus {
  PENDING = "PENDING",
  ACCEPTED = "ACCEPTED",
  EXPIRED = "EXPIRED",
  CANCELLED = "CANCELLED",
}
registerEnumType(RelationshipRequestStatus, { name: "RelationshipRequestStatus" });

/** What the database stores for a relationship request. */
export enum StoredRequestStatus {
  PENDING = "PENDING",
  ACCEPTED = "ACCEPTED",
  CANCELLED = "CANCELLED",
}
