import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";
import { RelationshipRequestStatus, StoredRequestStatus } from "./relationship.enums";

/** How long an invitation stays valid (DOMAIN.md: 90 days, computed, no job). */
export const INVITATION_LIFETIME_DAYS = 90;

@ObjectType({ simpleResolvers: true, implements: Node, description: "An invitation to a customer to accept the partner (a relationship request)." })
@Entity("relationship_request")
export class RelationshipRequest extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "RelationshipRequest";
  }

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Column("text", { name: "token_hash" })
  tokenHash: string;

  /** As stored: EXPIRED is never written, it follows from `expiresAt`. */
  @Column("text", { name: "status" })
  storedStatus: StoredRequestStatus;

  @Field(() => RelationshipRequestStatus, { description: "PENDING until accepted or cancelled; EXPIRED once expiresAt has passed while pending." })
  get status(): RelationshipRequestStatus {
    if (this.storedStatus === StoredRequestStatus.PENDING && this.expiresAt.getTime() <= Date.now()) return RelationshipRequestStatus.EXPIRED;
    return this.storedStatus as unknown as RelationshipRequestStatus;
  }

  @Field(() => Boolean)
  @Column("boolean", { name: "include_delegated_admin" })
  includeDelegatedAdmin: boolean;

  @Field(() => String, { nullable: true, description: "The only tenant (by any of its domains) that may accept, when set." })
  @Column("text", { name: "customer_domain", nullable: true })
  customerDomain: string | null;

  @Column("uuid", { name: "indirect_reseller_id", nullable: true })
  indirectResellerId: string | null;

  @Column("uuid", { name: "customer_id", nullable: true })
  customerId: string | null;

  @Column("uuid", { name: "created_by" })
  createdBy: string;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "expires_at" })
  expiresAt: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  @Column("timestamptz", { name: "accepted_at", nullable: true })
  acceptedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @Column("timestamptz", { name: "cancelled_at", nullable: true })
  cancelledAt: Date | null;
}
