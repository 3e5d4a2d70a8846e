import { defineModule } from "../module";
import { DomainEvent } from "./domain-event.entity";
import { EventService } from "./event.service";

declare module "../../services" {
  interface Services {
    events: EventService;
  }
}

/** The outbox: domain events written beside audit records (src/modules/audit), read by webhooks and subscriptions. */
export const eventsModule = defineModule({
  name: "events",
  entities: [DomainEvent],
  services: ({ dataSource }) => ({ events: new EventService(dataSource) }),
});
