import { registerEnumType } from "type-graphql";

export enum CustomerQualification {
  NONE = "NONE",
  EDUCATION = "EDUCATION",
  GOVERNMENT_COMMUNITY_CLOUD = "GOVERNMENT_COMMUNITY_CLOUD",
  STATE_OWNED_ENTITY = "STATE_OWNED_ENTITY",
  NONPROFIT = "NONPROFIT",
}
registerEnumType(CustomerQualification, { name: "CustomerQualification" });

export enum CustomerOrderField {
  COMPANY_NAME = "COMPANY_NAME",
  CREATED_AT = "CREATED_AT",
  UPDATED_AT = "UPDATED_AT",
}
registerEnumType(CustomerOrderField, { name: "CustomerOrderField" });

export enum OrderDirection {
  ASC = "ASC",
  DESC = "DESC",
}
registerEnumType(OrderDirection, { name: "OrderDirection" });
