import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../../graphql/scalars";
import type { DomainEvent } from "../events/domain-event.entity";

/**
 * What every pushed event carries: the fields of the outbox's `Event` but
 * `data`. The object itself is a field of each event type, resolved when the
 * event is sent through the owning module's service, so the caller's partner
 * scope and the field rules of its roles apply as they do to a query (a JSON
 * snapshot would hand every role every field).
 */
// abstract: the schema shows only the three event types that extend it
@ObjectType()
export abstract class ResourceEvent {
  @Field(() => ID, { description: "The event's id (a UUID), the same as webhook deliveries carry: receivers can drop duplicates." })
  id: string;

  @Field(() => String, { description: "What happened, e.g. `customer.created` (the list is in docs/subscriptions.md)." })
  type: string;

  @Field(() => DateTimeScalar)
  occurredAt: Date;

  @Field(() => ID, { description: "Global id of the object the event is about." })
  resourceId: string;

  constructor(event: DomainEvent) {
    this.id = event.id;
    this.type = event.type;
    this.occurredAt = event.occurredAt;
    this.resourceId = event.resourceId;
  }
}

@ObjectType({ description: "A change of one of the caller's customers (created, billing profile updated, relationship accepted or removed)." })
export class CustomerEvent extends ResourceEvent {}

@ObjectType({ description: "A change of one of the caller's invitations (created, cancelled, expired)." })
export class RelationshipRequestEvent extends ResourceEvent {}

@ObjectType({ description: "A referral the caller's partner sent or received, or a change of one." })
export class ReferralEvent extends ResourceEvent {}
