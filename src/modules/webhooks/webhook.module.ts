import { defineModule } from "../module";
import { Webhook, WebhookDelivery } from "./webhook.entity";
import { WebhookDeliveryResolver, WebhookResolver } from "./webhook.resolver";
import { WebhookService } from "./webhook.service";

declare module "../../services" {
  interface Services {
    webhooks: WebhookService;
  }
}

export const webhooksModule = defineModule({
  name: "webhooks",
  entities: [Webhook, WebhookDelivery],
  resolvers: [WebhookResolver, WebhookDeliveryResolver],
  services: ({ dataSource, config }, { audit, events }) => ({ webhooks: new WebhookService(dataSource, audit, events, config) }),
  fieldRules: {
    Query: { webhooks: "manageWebhooks", webhookDeliveries: "manageWebhooks" },
    Mutation: { webhookCreate: "manageWebhooks", webhookUpdate: "manageWebhooks", webhookDelete: "manageWebhooks", webhookTest: "manageWebhooks" },
  },
  nodes: {
    Webhook: { read: "manageWebhooks", fetch: (ctx, id) => ctx.services.webhooks.byId(ctx, id) },
    WebhookDelivery: { read: "manageWebhooks", fetch: (ctx, id) => ctx.services.webhooks.deliveryById(ctx, id) },
  },
});
