import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import type { CustomerRelationship } from "../relationships/customer-relationship.entity";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { Cloud } from "../partners/partner.enums";
import { CustomerQualification } from "./customer.enums";

@ObjectType({ simpleResolvers: true })
export class Address {
  @Field(() => String)
  addressLine1: string;

  @Field(() => String, { nullable: true })
  addressLine2: string | null;

  @Field(() => String, { nullable: true })
  city: string | null;

  @Field(() => String, { nullable: true })
  state: string | null;

  @Field(() => String, { nullable: true })
  postalCode: string | null;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  country: string;
}

@ObjectType({ simpleResolvers: true, description: "Who the customer is billed as and whom to contact." })
export class BillingProfile {
  @Field(() => String)
  companyName: string;

  @Field(() => String, { nullable: true })
  firstName: string | null;

  @Field(() => String, { nullable: true })
  lastName: string | null;

  @Field(() => String)
  email: string;

  @Field(() => String, { nullable: true })
  phoneNumber: string | null;

  @Field(() => String, { description: "e.g. en-US" })
  culture: string;

  @Field(() => String, { description: "Two-letter language code, e.g. en." })
  language: string;

  @Field(() => Address)
  address: Address;
}

@ObjectType({ simpleResolvers: true })
export class CompanyProfile {
  @Field(() => String)
  tenantId: string;

  @Field(() => String)
  domain: string;

  @Field(() => String)
  companyName: string;

  @Field(() => String, { nullable: true })
  organizationRegistrationNumber: string | null;
}

@ObjectType({ simpleResolvers: true, implements: Node, description: "A customer's directory tenant as the viewer's partner sees it." })
@Entity("customer")
export class Customer extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "Customer";
  }

  /**
   * The relationship row a customer query joined (`CustomerService.scoped`):
   * the caller's own, or a linked reseller's for a provider. Not a column.
   */
  scopeRelationship?: CustomerRelationship;

  @Field(() => String, { description: "The customer's directory tenant id (a GUID): its identity." })
  @Column("uuid", { name: "tenant_id" })
  tenantId: string;

  @Column("text")
  cloud: Cloud;

  @Field(() => String)
  @Column("text", { name: "company_name" })
  companyName: string;

  @Field(() => String, { description: "<prefix>.onmicrosoft.com" })
  @Column("text", { name: "default_domain" })
  defaultDomain: string;

  @Column("text", { name: "organization_registration_number", nullable: true })
  organizationRegistrationNumber: string | null;

  @Field(() => CustomerQualification)
  @Column("text")
  qualification: CustomerQualification;

  @Field(() => String)
  @Column("text")
  culture: string;

  @Field(() => String)
  @Column("text")
  language: string;

  @Column("text", { name: "billing_first_name", nullable: true })
  billingFirstName: string | null;

  @Column("text", { name: "billing_last_name", nullable: true })
  billingLastName: string | null;

  @Column("text", { name: "billing_email" })
  billingEmail: string;

  @Column("text", { name: "billing_phone_number", nullable: true })
  billingPhoneNumber: string | null;

  @Column("text", { name: "address_line1" })
  addressLine1: string;

  @Column("text", { name: "address_line2", nullable: true })
  addressLine2: string | null;

  @Column("text", { nullable: true })
  city: string | null;

  @Column("text", { nullable: true })
  state: string | null;

  @Column("text", { name: "postal_code", nullable: true })
  postalCode: string | null;

  @Field(() => String, { description: "The billing address country (ISO 3166-1 alpha-2)." })
  @Column("char", { length: 2 })
  country: string;

  @Column("text", { name: "initial_admin_user_name", nullable: true })
  initialAdminUserName: string | null;

  @Column("text", { name: "initial_admin_password_hash", nullable: true, select: false })
  initialAdminPasswordHash: string | null;

  @Column("integer")
  version: number;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "updated_at" })
  updatedAt: Date;

  @Field(() => String, { description: "Changes on every update; pass it as `ifMatch` to update only what you have seen." })
  get etag(): string {
    return `W/"${this.version}"`;
  }

  @Field(() => CompanyProfile)
  get companyProfile(): CompanyProfile {
    return {
      tenantId: this.tenantId,
      domain: this.defaultDomain,
      companyName: this.companyName,
      organizationRegistrationNumber: this.organizationRegistrationNumber,
    };
  }

  @Field(() => BillingProfile, { nullable: true, description: "Needs a role that may read billing data." })
  get billingProfile(): BillingProfile {
    return {
      companyName: this.companyName,
      firstName: this.billingFirstName,
      lastName: this.billingLastName,
      email: this.billingEmail,
      phoneNumber: this.billingPhoneNumber,
      culture: this.culture,
      language: this.language,
      address: {
        addressLine1: this.addressLine1,
        addressLine2: this.addressLine2,
        city: this.city,
        state: this.state,
        postalCode: this.postalCode,
        country: this.country,
      },
    };
  }
}

@Entity("customer_domain")
export class CustomerDomain {
  @PrimaryColumn("text")
  domain: string;

  @Column("uuid", { name: "customer_id" })
  customerId: string;

  @Column("boolean", { name: "is_default" })
  isDefault: boolean;
}
