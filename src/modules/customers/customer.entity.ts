import { Reads } from "../../graphql/planner/reads";
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

/**
 * A customer's directory tenant as the viewer's partner sees it. What is the
 * tenant's, and so shared by every partner serving it, lives on this row: id,
 * tenantId, cloud, domains, the company name and registration number as
 * registered, and the billing profile given when the tenant was created (its
 * registration data, which nothing changes afterwards). What each partner keeps
 * for itself — the billing profile with its etag and updatedAt, hence also
 * `country`, `culture` and `language` — is read from the viewer's relationship
 * (`scopeRelationship`), so no partner's edit reaches another's view.
 */
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

  @Field(() => String, { description: "The tenant's company name as registered, the same for every partner (search and the COMPANY_NAME order use it); the name a partner invoices is `billingProfile.companyName`." })
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

  // registration data: the billing profile given at creation, copied into each new relationship (never shown as any partner's profile)
  @Column("text", { name: "culture" })
  registeredCulture: string;

  @Column("text", { name: "language" })
  registeredLanguage: string;

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

  /** The tenant's country as registered: it decides the tenant's region (who may serve it). */
  @Column("char", { name: "country", length: 2 })
  registeredCountry: string;

  @Column("text", { name: "initial_admin_user_name", nullable: true })
  initialAdminUserName: string | null;

  @Column("text", { name: "initial_admin_password_hash", nullable: true, select: false })
  initialAdminPasswordHash: string | null;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;

  /** The viewer's relationship; every query that hands a customer to GraphQL joins it (`CustomerService.scoped`). */
  private get seen(): CustomerRelationship {
    if (!this.scopeRelationship) throw new Error(`customer ${this.id} was read without the viewer's relationship`);
    return this.scopeRelationship;
  }

  @Field(() => String, { description: "The billing address country (ISO 3166-1 alpha-2) of the viewer's billing profile." })
  @Reads("scopeRelationship.billingProfile")
  get country(): string {
    return this.seen.billingProfile.address.country;
  }

  @Field(() => String, { description: "The culture of the viewer's billing profile." })
  @Reads("scopeRelationship.billingProfile")
  get culture(): string {
    return this.seen.billingProfile.culture;
  }

  @Field(() => String, { description: "The language of the viewer's billing profile." })
  @Reads("scopeRelationship.billingProfile")
  get language(): string {
    return this.seen.billingProfile.language;
  }

  @Field(() => DateTimeScalar, { description: "When the viewer's partner last changed its billing profile of this customer." })
  @Reads("scopeRelationship.updatedAt")
  get updatedAt(): Date {
    return this.seen.updatedAt;
  }

  @Field(() => String, { description: "Changes on every update of the viewer's billing profile; pass it as `ifMatch` to update only what you have seen." })
  @Reads("scopeRelationship.version")
  get etag(): string {
    return `W/"${this.seen.version}"`;
  }

  @Field(() => CompanyProfile)
  @Reads("tenantId", "defaultDomain", "companyName", "organizationRegistrationNumber")
  get companyProfile(): CompanyProfile {
    return {
      tenantId: this.tenantId,
      domain: this.defaultDomain,
      companyName: this.companyName,
      organizationRegistrationNumber: this.organizationRegistrationNumber,
    };
  }

  @Field(() => BillingProfile, { nullable: true, description: "The viewer's partner's own billing profile of this customer (a linked reseller's, for a provider that sees the customer through it). Needs a role that may read billing data." })
  @Reads("scopeRelationship.billingProfile")
  get billingProfile(): BillingProfile {
    return this.seen.billingProfile;
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
