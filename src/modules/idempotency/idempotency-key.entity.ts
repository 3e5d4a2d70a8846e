import { Column, Entity, PrimaryColumn } from "typeorm";

/** The first result of a creating mutation, kept 24 hours under the caller's key. */
@Entity("idempotency_key")
export class IdempotencyKey {
  @PrimaryColumn("uuid", { name: "partner_id" })
  partnerId: string;

  @PrimaryColumn("text")
  key: string;

  @Column("text", { name: "request_hash" })
  requestHash: string;

  @Column("jsonb", { nullable: true })
  result: Record<string, unknown> | null;

  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;
}
