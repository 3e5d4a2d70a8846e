import { DataSource, EntityManager } from "typeorm";
import { RequestContext } from "../../auth/context";
import { UserErrorCode, UserErrors } from "../../graphql/errors";
import { alignOne } from "../../graphql/loaders";
import type { CacheBus, CacheEntries } from "../../server/cache-bus";
import { AuditService } from "../audit/audit.service";
import { Partner } from "../partners/partner.entity";
import { Cloud } from "../partners/partner.enums";
import { PartnerService } from "../partners/partner.service";
import { BusinessProfile } from "./business-profile.entity";
import { BusinessProfileUpdateInput } from "./business-profile.inputs";
import { ProfileValues, profilePatch } from "./business-profile.validation";

/** The CacheBus name of the profile cache (keys: partner ids). */
export const BUSINESS_PROFILE_CACHE = "businessProfile";
/** A safety net only: every update invalidates on every instance at once. */
const CACHE_MS = 60_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Profiles (and "has none") by partner id. A read that began before an
 * invalidation must not store what it read after it: `epoch` moves on every
 * drop, and a fill is kept only when no drop happened while it was loading.
 */
class ProfileCache implements CacheEntries {
  private readonly entries = new Map<string, { profile: BusinessProfile | null; at: number }>();
  epoch = 0;

  get(partnerId: string): { profile: BusinessProfile | null } | undefined {
    const hit = this.entries.get(partnerId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit;
    return undefined;
  }

  fill(partnerId: string, profile: BusinessProfile | null, epochAtStart: number): void {
    if (epochAtStart !== this.epoch) return;
    this.entries.delete(partnerId);
    if (this.entries.size >= CACHE_MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(partnerId, { profile, at: Date.now() });
  }

  delete(partnerId: string): void {
    this.epoch++;
    this.entries.delete(partnerId);
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
  }
}

/** What the audit log keeps of a profile (as the API shows it). */
function snapshot(p: BusinessProfile): Record<string, unknown> {
  return {
    description: p.description,
    website: p.website,
    industries: p.industries,
    products: p.products,
    services: p.services,
    targetCustomerSizes: p.targetCustomerSizes,
    locations: p.locations,
    etag: p.etag,
  };
}

function valuesOf(p: BusinessProfile): ProfileValues {
  const { description, website, industries, products, services, targetCustomerSizes, locations } = p;
  return { description, website, industries, products, services, targetCustomerSizes, locations };
}

/**
 * A partner's business profile: public marketing data, read by every user of
 * the partner and by whoever sees the Partner object (linked partners,
 * referral counterparts). None exists in the US Government cloud.
 */
export class BusinessProfileService {
  private readonly cache = new ProfileCache();

  constructor(
    private readonly dataSource: DataSource,
    private readonly partners: PartnerService,
    private readonly audit: AuditService,
    private readonly caches: CacheBus,
  ) {
    caches.register(BUSINESS_PROFILE_CACHE, this.cache);
  }

  /** Drops a partner's profile from the process cache on every instance. */
  invalidateProfile(partnerId: string): Promise<void> {
    return this.caches.invalidate(BUSINESS_PROFILE_CACHE, partnerId);
  }

  /**
   * A partner's profile by partner database id, unscoped (the caller decides
   * whether the partner is visible; referrals check NO_BUSINESS_PROFILE with
   * it). Null without one and for US Government partners. From the process
   * cache when fresh, else batched per request.
   */
  async ofPartner(ctx: RequestContext, partnerId: string): Promise<BusinessProfile | null> {
    const hit = this.cache.get(partnerId);
    if (hit) return hit.profile;
    return ctx.loaders
      .get<string, BusinessProfile | null>("businessProfile.byPartner", async (ids) => {
        const epoch = this.cache.epoch;
        const rows = await this.dataSource
          .getRepository(BusinessProfile)
          .createQueryBuilder("bp")
          .innerJoin(Partner, "bpp", "bpp.id = bp.partner_id AND bpp.cloud = :commercial", { commercial: Cloud.COMMERCIAL })
          .where("bp.partner_id IN (:...ids)", { ids: [...ids] })
          .getMany();
        const aligned = alignOne(ids, rows, (p) => p.partnerId);
        ids.forEach((id, i) => this.cache.fill(id, aligned[i]!, epoch));
        return aligned;
      })
      .load(partnerId);
  }

  /**
   * Replaces the fields given, creating the profile on the first update. The
   * partner's row is locked FOR UPDATE, so concurrent updates queue and none
   * is lost; every instance drops its cached copy once the change is committed.
   */
  async update(ctx: RequestContext, input: BusinessProfileUpdateInput): Promise<{ businessProfile: BusinessProfile }> {
    const partner = await this.partners.current(ctx);
    if (partner.cloud === Cloud.US_GOVERNMENT) {
      throw UserErrors.of(UserErrorCode.FEATURE_UNAVAILABLE_IN_CLOUD, "Business profiles (and referrals) do not exist in the US Government cloud.");
    }
    // the patch needs nothing stored, so a bad input costs no transaction
    const { patch, problems } = profilePatch(input);
    if (problems.length > 0) throw new UserErrors(problems);
    const profile = await this.dataSource.transaction(async (manager) => {
      const { current, created } = await this.lock(manager, partner.id);
      if (input.ifMatch != null && (created || input.ifMatch !== current.etag)) {
        const now = created ? "there is no profile yet" : `its etag is now ${current.etag}`;
        throw UserErrors.of(UserErrorCode.STALE_ETAG, `The business profile changed since you read it (${now}); read it again and retry.`, ["ifMatch"]);
      }
      const before = created ? null : snapshot(current);
      const next: ProfileValues = { ...valuesOf(current), ...patch };
      const result = await manager
        .createQueryBuilder()
        .update(BusinessProfile)
        .set({ ...next, version: () => "version + 1", updatedAt: () => "now()" })
        .where("partner_id = :partnerId", { partnerId: partner.id })
        .returning("version, updated_at")
        .execute();
      const [{ version, updated_at }] = result.raw as { version: number; updated_at: Date }[];
      const updated = Object.assign(new BusinessProfile(), current, next, { version, updatedAt: updated_at });
      await this.audit.record(manager, ctx, { operationType: "update_business_profile", resourceType: "business_profile", customerId: null, oldValue: before, newValue: snapshot(updated) });
      return updated;
    });
    await this.invalidateProfile(partner.id);
    ctx.loaders.clearAll();
    return { businessProfile: profile };
  }

  /** The partner's profile row locked FOR UPDATE; inserted empty (version 0) when it has none, racing creators waiting on the key. */
  private async lock(manager: EntityManager, partnerId: string): Promise<{ current: BusinessProfile; created: boolean }> {
    const locked = () => manager.getRepository(BusinessProfile).createQueryBuilder("bp").where("bp.partner_id = :partnerId", { partnerId }).setLock("pessimistic_write").getOne();
    const existing = await locked();
    if (existing) return { current: existing, created: false };
    const inserted = await manager.createQueryBuilder().insert().into(BusinessProfile).values({ partnerId, version: 0, locations: [] }).orIgnore().returning("partner_id").execute();
    const current = await locked();
    if (!current) throw new Error(`business profile of partner ${partnerId} vanished while locked`);
    return { current, created: (inserted.raw as unknown[]).length > 0 };
  }
}
