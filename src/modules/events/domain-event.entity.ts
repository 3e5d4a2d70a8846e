import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { DateTimeScalar, JSONScalar } from "../../graphql/scalars";

/**
 * One change as the partners involved learn of it (the outbox): written in the
 * transaction of the change, so it exists exactly when the change committed.
 * The GraphQL `Event` is what webhooks send and subscriptions push.
 */
@ObjectType("Event", { simpleResolvers: true, description: "A change in the partner's data, as webhooks deliver it and subscriptions push it." })
@Entity("domain_event")
export class DomainEvent {
  @Field(() => ID, { description: "Stable event id (a UUID): the same in every delivery of this event, so receivers can drop duplicates." })
  @PrimaryColumn("uuid")
  id: string;

  /** Write order (bigserial); NOTIFY carries it. Strings: PostgreSQL's bigint exceeds a JavaScript number's exact range. */
  @Column("bigint", { unique: true })
  seq: string;

  @Column("uuid", { name: "partner_id" })
  partnerId: string;

  @Field(() => String, { description: "e.g. customer.created; the list is in docs/webhooks.md." })
  @Column("text")
  type: string;

  /** The audit resource type (snake_case), e.g. customer_relationship. */
  @Column("text", { name: "resource_type" })
  resourceType: string;

  @Field(() => ID, { description: "Global id of the changed object (a relationship's is its customer's, a business profile's its partner's)." })
  @Column("text", { name: "resource_id" })
  resourceId: string;

  @Field(() => DateTimeScalar)
  @Column("timestamptz", { name: "occurred_at" })
  occurredAt: Date;

  @Field(() => JSONScalar, { description: "The object after the change as the partner reads it (before it, for a deletion): GraphQL field names, global ids." })
  @Column("jsonb", { name: "body" })
  data: Record<string, unknown>;
}

/** The JSON a webhook receives: `{ id, type, occurredAt, resourceId, data }`. */
export function eventPayload(event: Pick<DomainEvent, "id" | "type" | "occurredAt" | "resourceId"> & { data: unknown }): { id: string; type: string; occurredAt: string; resourceId: string; data: unknown } {
  return { id: event.id, type: event.type, occurredAt: new Date(event.occurredAt).toISOString(), resourceId: event.resourceId, data: event.data };
}
