import { defineModule } from "../module";
import { IdempotencyKey } from "./idempotency-key.entity";
import { IdempotencyService } from "./idempotency.service";

declare module "../../services" {
  interface Services {
    idempotency: IdempotencyService;
  }
}

export const idempotencyModule = defineModule({
  name: "idempotency",
  entities: [IdempotencyKey],
  services: () => ({ idempotency: new IdempotencyService() }),
});
