import { registerEnumType } from "type-graphql";

export enum PartnerType {
  DIRECT_BILL = "DIRECT_BILL",
  INDIRECT_PROVIDER = "INDIRECT_PROVIDER",
  INDIRECT_RESELLER = "INDIRECT_RESELLER",
}
registerEnumType(PartnerType, { name: "PartnerType" });

export enum Cloud {
  COMMERCIAL = "COMMERCIAL",
  US_GOVERNMENT = "US_GOVERNMENT",
}
registerEnumType(Cloud, { name: "Cloud", description: "Each cloud is a separate world: partners and customers never cross it." });
