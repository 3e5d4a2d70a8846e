import { Column, Entity, PrimaryColumn } from "typeorm";
import { IndirectRelationshipStatus } from "./relationship.enums";

/** Provider ↔ reseller link; its API arrives with the relationships issue. */
@Entity("indirect_relationship")
export class IndirectRelationship {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid", { name: "provider_id" })
  providerId: string;

  @Column("uuid", { name: "reseller_id" })
  resellerId: string;

  @Column("text")
  status: IndirectRelationshipStatus;

  @Column("timestamptz", { name: "invited_at" })
  invitedAt: Date;

  @Column("timestamptz", { name: "activated_at", nullable: true })
  activatedAt: Date | null;

  @Column("timestamptz", { name: "removed_at", nullable: true })
  removedAt: Date | null;
}
