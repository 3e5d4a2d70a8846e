import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { Money } from "./money";
import { StoredReferralStatus, StoredReferralSubstatus } from "./referral.enums";

/** A NEW referral nobody answered becomes CLOSED/EXPIRED this long after creation (DOMAIN.md; computed, no job). */
export const REFERRAL_LIFETIME_DAYS = 14;
export const REFERRAL_LIFETIME_MS = REFERRAL_LIFETIME_DAYS * 86_400_000;

@ObjectType({ simpleResolvers: true, description: "The customer's contact person for a referral." })
export class Contact {
  @Field(() => String, { nullable: true })
  firstName: string | null;

  @Field(() => String, { nullable: true })
  lastName: string | null;

  @Field(() => String)
  email: string;

  @Field(() => String, { nullable: true })
  phoneNumber: string | null;
}

/**
 * A lead shared by two partners: one row, seen by both under one id. What
 * depends on the viewer (direction, the NEW substatus, the assignee of the
 * viewer's side) and on time (EXPIRED) is resolved in ReferralResolver.
 */
@ObjectType({ simpleResolvers: true, implements: Node, description: "A lead shared by two partners: one object seen by both under one id." })
@Entity("referral")
export class Referral extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "Referral";
  }

  @Column("uuid", { name: "from_partner_id" })
  fromPartnerId: string;

  @Column("uuid", { name: "to_partner_id" })
  toPartnerId: string;

  @Field(() => String)
  @Column("text")
  name: string;

  @Field(() => String)
  @Column("text", { name: "customer_name" })
  customerName: string;

  @Column("text", { name: "contact_first_name", nullable: true })
  contactFirstName: string | null;

  @Column("text", { name: "contact_last_name", nullable: true })
  contactLastName: string | null;

  @Column("text", { name: "contact_email" })
  contactEmail: string;

  @Column("text", { name: "contact_phone_number", nullable: true })
  contactPhoneNumber: string | null;

  @Field(() => Contact)
  get customerContact(): Contact {
    return { firstName: this.contactFirstName, lastName: this.contactLastName, email: this.contactEmail, phoneNumber: this.contactPhoneNumber };
  }

  /** numeric(17,2): PostgreSQL hands it over as a string, which is what the API shows. */
  @Column("numeric", { name: "deal_value_amount", nullable: true })
  dealValueAmount: string | null;

  @Column("char", { name: "deal_value_currency", length: 3, nullable: true })
  dealValueCurrency: string | null;

  @Field(() => Money, { nullable: true, description: "The sender's estimate; the receiver's estimate once it accepted." })
  get dealValue(): Money | null {
    return this.dealValueAmount === null || this.dealValueCurrency === null ? null : { amount: this.dealValueAmount, currency: this.dealValueCurrency };
  }

  @Field(() => String, { nullable: true, description: "The sender's notes." })
  @Column("text", { nullable: true })
  notes: string | null;

  @Column("text", { name: "status" })
  storedStatus: StoredReferralStatus;

  @Column("text", { name: "substatus", nullable: true })
  storedSubstatus: StoredReferralSubstatus;

  @Field(() => String, { nullable: true, description: "Set by referralAccept." })
  @Column("text", { name: "deal_name", nullable: true })
  dealName: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Set by referralAccept." })
  @Column("timestamptz", { name: "expected_close_date", nullable: true })
  expectedCloseDate: Date | null;

  @Field(() => String, { nullable: true, description: "The receiver's notes when it accepted or declined." })
  @Column("text", { name: "response_notes", nullable: true })
  responseNotes: string | null;

  @Field(() => String, { nullable: true, description: "Why the receiver declined." })
  @Column("text", { name: "decline_reason", nullable: true })
  declineReason: string | null;

  @Field(() => String, { nullable: true, description: "Why the referral was won or lost." })
  @Column("text", { name: "close_reason", nullable: true })
  closeReason: string | null;

  /** The sender's assignee (a REFERRALS_USER of the sending partner), seen only by the sender. */
  @Column("uuid", { name: "from_assigned_to", nullable: true })
  fromAssignedTo: string | null;

  /** The receiver's assignee, seen only by the receiver. */
  @Column("uuid", { name: "to_assigned_to", nullable: true })
  toAssignedTo: string | null;

  @Column("uuid", { name: "created_by" })
  createdBy: string;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;

  @Field(() => DateTimeScalar, { description: "createdAt + 14 days: a NEW referral unanswered by then is CLOSED/EXPIRED." })
  @Column("timestamptz", { name: "expires_at" })
  expiresAt: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the receiver accepted or declined." })
  @Column("timestamptz", { name: "responded_at", nullable: true })
  respondedAt: Date | null;

  /** When it was declined, won or lost (the API shows an expired one's expiresAt). */
  @Column("timestamptz", { name: "closed_at", nullable: true })
  storedClosedAt: Date | null;

  /** NEW and past its expiry at `now`. */
  expiredAt(now: Date): boolean {
    return this.storedStatus === "NEW" && this.expiresAt.getTime() <= now.getTime();
  }
}
