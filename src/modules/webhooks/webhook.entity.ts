import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Node } from "../../graphql/relay";
import { DateTimeScalar } from "../../graphql/scalars";

@ObjectType({ simpleResolvers: true, implements: Node, description: "An HTTPS endpoint of the partner that receives signed event deliveries." })
@Entity("webhook")
export class Webhook extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "Webhook";
  }

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Field(() => String)
  @Column("text")
  url: string;

  @Field(() => [String], { description: "The event types delivered (docs/webhooks.md lists them)." })
  @Column("text", { name: "event_types", array: true })
  eventTypes: string[];

  @Field(() => String, { nullable: true })
  @Column("text", { nullable: true })
  description: string | null;

  /** AES-256-GCM under the server key (SecretBox): the worker signs with the secret itself. */
  @Column("text", { name: "secret_ciphertext" })
  secretCiphertext: string;

  @Field(() => Boolean, { description: "False after too many consecutive failed attempts (or when turned off); deliveries wait meanwhile." })
  @Column("boolean")
  enabled: boolean;

  @Field(() => Int, { description: "Consecutive failed attempts; a delivered one sets it back to 0." })
  @Column("integer", { name: "failure_count" })
  failureCount: number;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  @Column("timestamptz", { name: "disabled_at", nullable: true })
  disabledAt: Date | null;

  @Column("timestamptz", { name: "updated_at" })
  updatedAt: Date;
}

export enum WebhookDeliveryStatus {
  PENDING = "PENDING",
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
}
registerEnumType(WebhookDeliveryStatus, { name: "WebhookDeliveryStatus", description: "PENDING until a 2xx answer (DELIVERED) or the retry window ends (FAILED)." });

@ObjectType({ simpleResolvers: true, implements: Node, description: "One event on its way to one webhook: its attempts so far and the next one." })
@Entity("webhook_delivery")
export class WebhookDelivery extends Node {
  @PrimaryColumn("uuid")
  override id: string;

  get nodeType(): string {
    return "WebhookDelivery";
  }

  @Column("uuid", { name: "webhook_id" })
  webhookId: string;

  @Column("uuid", { name: "event_id" })
  eventId: string;

  @Column("bigint", { name: "event_seq" })
  eventSeq: string;

  @Column("text", { name: "resource_id" })
  resourceId: string;

  @Field(() => WebhookDeliveryStatus)
  @Column("text")
  status: WebhookDeliveryStatus;

  @Field(() => Int, { description: "Requests sent so far (one that was cut off by a stopped worker counts too)." })
  @Column("integer")
  attempts: number;

  @Field(() => Int, { nullable: true, description: "HTTP status of the last answer; null when there was none (timeout, refused connection)." })
  @Column("integer", { name: "last_status_code", nullable: true })
  lastStatusCode: number | null;

  @Field(() => String, { nullable: true })
  @Column("text", { name: "last_error", nullable: true })
  lastError: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the next attempt is due; null once DELIVERED or FAILED." })
  get nextAttemptAt(): Date | null {
    return this.status === WebhookDeliveryStatus.PENDING ? this.storedNextAttemptAt : null;
  }

  @Column("timestamptz", { name: "next_attempt_at" })
  storedNextAttemptAt: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  @Column("timestamptz", { name: "delivered_at", nullable: true })
  deliveredAt: Date | null;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "created_at" })
  createdAt: Date;
}
