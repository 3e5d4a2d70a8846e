import { DataSource } from "typeorm";
import { requireViewer, RequestContext } from "../../auth/context";
import { alignMany } from "../../graphql/loaders";
import { CustomerRelationship } from "../relationships/customer-relationship.entity";
import { PurchasePermission } from "./purchase-permission.entity";

export class PurchasePermissionService {
  constructor(private readonly dataSource: DataSource) {}

  /** A grant of the caller's partner to a customer it actively serves. */
  async byId(ctx: RequestContext, id: string): Promise<PurchasePermission | null> {
    const viewer = requireViewer(ctx);
    return this.dataSource
      .getRepository(PurchasePermission)
      .createQueryBuilder("pp")
      .innerJoin(CustomerRelationship, "pprel", "pprel.customer_id = pp.customer_id AND pprel.partner_id = pp.partner_id AND pprel.status = 'ACTIVE'")
      .where("pp.partner_id = :partnerId AND pp.id = :id", { partnerId: viewer.partnerId, id })
      .getOne();
  }

  /** The caller's partner's grants to a customer (a bounded list), batched per request. */
  forCustomer(ctx: RequestContext, customerId: string): Promise<PurchasePermission[]> {
    const viewer = requireViewer(ctx);
    return ctx.loaders
      .get<string, PurchasePermission[]>("purchasePermission.byCustomer", async (ids) => {
        const rows = await this.dataSource
          .getRepository(PurchasePermission)
          .createQueryBuilder("pp")
          .where("pp.partner_id = :partnerId AND pp.customer_id IN (:...ids)", { partnerId: viewer.partnerId, ids: [...ids] })
          .orderBy("pp.granted_at", "ASC")
          .addOrderBy("pp.id", "ASC")
          .getMany();
        return alignMany(ids, rows, (pp) => pp.customerId);
      })
      .load(customerId);
  }
}
