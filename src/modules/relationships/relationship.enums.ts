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
