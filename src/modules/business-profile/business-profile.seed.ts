import type { EntityManager } from "typeorm";
import { BusinessProfile, Location } from "./business-profile.entity";

type DemoProfile = Omit<BusinessProfile, "partnerId" | "version" | "updatedAt" | "etag">;

const place = (name: string, addressLine1: string, city: string, state: string | null, postalCode: string, country: string): Location => ({ name, addressLine1, city, state, postalCode, country });

/** Fixed profiles of the demo partners (API.md section 9: every commercial partner but Litware has one). */
const DEMO_PROFILES: Record<string, DemoProfile> = {
  contoso: {
    description: "Contoso Cloud Direct sells, deploys and supports Microsoft 365 and Azure for small and mid-sized businesses across North America.",
    website: "https://www.contoso.example",
    industries: ["Professional services", "Retail", "Healthcare"],
    products: ["Microsoft 365", "Azure", "Dynamics 365"],
    services: ["Licensing", "Migration", "Managed services", "Security assessments"],
    targetCustomerSizes: ["SMALL", "MEDIUM"],
    locations: [place("Head office", "1 Microsoft Way", "Seattle", "WA", "98101", "US"), place("Toronto office", "100 King St W", "Toronto", "ON", "M5H 2N2", "CA")],
  },
  fabrikam: {
    description: "Fabrikam Distribution is an indirect provider: it supplies cloud subscriptions, billing and training to a network of resellers.",
    website: "https://www.fabrikam.example",
    industries: ["Distribution", "Manufacturing"],
    products: ["Microsoft 365", "Azure", "Windows Server"],
    services: ["Reseller enablement", "Consolidated billing", "Training"],
    targetCustomerSizes: ["MEDIUM", "ENTERPRISE"],
    locations: [place("Distribution centre", "500 Congress Ave", "Austin", "TX", "73301", "US")],
  },
  northwind: {
    description: "Northwind Solutions helps retailers and restaurants move their shops, tills and back offices to the cloud.",
    website: "https://www.northwind.example",
    industries: ["Retail", "Hospitality"],
    products: ["Microsoft 365", "Teams Essentials"],
    services: ["Deployment", "Helpdesk"],
    targetCustomerSizes: ["SMALL"],
    locations: [place("Boston office", "1 Federal St", "Boston", "MA", "02108", "US")],
  },
  adatum: {
    description: "Adatum Europe runs Azure and Microsoft 365 for European companies, with data kept in European regions.",
    website: "https://www.adatum.example",
    industries: ["Manufacturing", "Financial services", "Public sector"],
    products: ["Azure", "Microsoft 365", "SQL Server"],
    services: ["Cloud operations", "Compliance (GDPR)", "Migration"],
    targetCustomerSizes: ["MEDIUM", "ENTERPRISE"],
    locations: [place("Berlin", "Unter den Linden 1", "Berlin", null, "10115", "DE"), place("Lyon", "1 Place Bellecour", "Lyon", null, "69001", "FR")],
  },
};

function generic(name: string, key: string, country: string): DemoProfile {
  return {
    description: `${name} helps organisations buy, run and secure the cloud.`,
    website: `https://www.${key}.example`,
    industries: ["Professional services"],
    products: ["Microsoft 365", "Azure"],
    services: ["Migration", "Managed services"],
    targetCustomerSizes: ["SMALL", "MEDIUM"],
    locations: [country === "DE" ? place("Head office", "Marienplatz 1", "München", null, "80331", "DE") : place("Head office", "1600 Broadway", "Denver", "CO", "80202", country)],
  };
}

/** Inserts the demo business profiles: every commercial partner except Litware (which shows NO_BUSINESS_PROFILE). */
export async function seedBusinessProfiles(
  manager: EntityManager,
  partners: readonly { id: string; key: string; name: string; cloud: string; country: string }[],
  at: Date,
): Promise<void> {
  const rows = partners
    .filter((p) => p.cloud === "COMMERCIAL" && p.key !== "litware")
    .map((p) => ({ partnerId: p.id, ...(DEMO_PROFILES[p.key] ?? generic(p.name, p.key, p.country)), version: 1, updatedAt: at }));
  if (rows.length > 0) await manager.insert(BusinessProfile, rows);
}
