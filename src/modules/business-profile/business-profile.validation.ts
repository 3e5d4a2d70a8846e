import { FieldPath, UserError, userError, UserErrorCode } from "../../graphql/errors";
import { countryRules } from "../customers/country-rules";
import { clean } from "../customers/customer.validation";
import type { Location } from "./business-profile.entity";
import type { BusinessProfileUpdateInput, LocationInput } from "./business-profile.inputs";

export const PROFILE_LIMITS = {
  description: 2500,
  website: 2048,
  listEntries: 20,
  entryLength: 100,
  locations: 5,
  locationName: 100,
  addressLine1: 200,
  city: 100,
  state: 50,
  postalCode: 20,
} as const;

export const PROFILE_LISTS = ["industries", "products", "services", "targetCustomerSizes"] as const;
type ListField = (typeof PROFILE_LISTS)[number];

/** The profile's stored values (what a patch replaces). */
export interface ProfileValues {
  description: string | null;
  website: string | null;
  industries: string[];
  products: string[];
  services: string[];
  targetCustomerSizes: string[];
  locations: Location[];
}

/** Characters as PostgreSQL's char_length counts them (code points, not UTF-16 units). */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

class Problems {
  readonly list: UserError[] = [];
  add(code: UserErrorCode, message: string, field: FieldPath): void {
    this.list.push(userError(code, message, field));
  }
  /** A trimmed optional text within its limit; `null` when blank. */
  text(value: string | null | undefined, name: string, max: number, field: FieldPath): string | null {
    const v = clean(value);
    if (v !== null && length(v) > max) this.add(UserErrorCode.TOO_LONG, `${name} has at most ${max} characters; got ${length(v)}.`, field);
    return v;
  }
}

function websiteProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; give one such as https://www.example.com.`;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "The website is an http or https URL.";
  if (!parsed.hostname) return "The website URL needs a host name.";
  if (parsed.username || parsed.password) return "The website URL may not carry a user name or password.";
  if (/\s/.test(url)) return "The website URL may not contain spaces.";
  return null;
}

/** Trimmed, blank entries refused, duplicates (ignoring case) dropped keeping the first spelling, then bounded. */
function cleanList(values: readonly string[] | null, field: ListField, p: Problems): string[] {
  if (values === null) return [];
  const seen = new Set<string>();
  const kept: string[] = [];
  values.forEach((raw, i) => {
    const v = clean(raw);
    if (v === null) return p.add(UserErrorCode.REQUIRED, "An entry may not be blank.", [field, i]);
    if (length(v) > PROFILE_LIMITS.entryLength) return p.add(UserErrorCode.TOO_LONG, `An entry has at most ${PROFILE_LIMITS.entryLength} characters; got ${length(v)}.`, [field, i]);
    const key = v.toLocaleLowerCase("en");
    if (seen.has(key)) return;
    seen.add(key);
    kept.push(v);
  });
  if (kept.length > PROFILE_LIMITS.listEntries) p.add(UserErrorCode.TOO_LONG, `At most ${PROFILE_LIMITS.listEntries} different entries; got ${kept.length}.`, [field]);
  return kept;
}

function cleanLocation(input: LocationInput, i: number, p: Problems): Location {
  const at = (name: string): FieldPath => ["locations", i, name];
  const name = p.text(input.name, "Name", PROFILE_LIMITS.locationName, at("name"));
  if (name === null) p.add(UserErrorCode.REQUIRED, "A location needs a name (e.g. Head office).", at("name"));
  const location: Location = {
    name: name ?? "",
    addressLine1: p.text(input.addressLine1, "Address line 1", PROFILE_LIMITS.addressLine1, at("addressLine1")),
    city: p.text(input.city, "City", PROFILE_LIMITS.city, at("city")),
    state: clean(input.state)?.toUpperCase() ?? null,
    postalCode: p.text(input.postalCode, "Postal code", PROFILE_LIMITS.postalCode, at("postalCode")),
    country: clean(input.country)?.toUpperCase() ?? "",
  };
  // the customers module's country table: the same codes, state lists and postal code patterns as billing addresses
  const rules = location.country ? countryRules(location.country) : null;
  if (!location.country) {
    p.add(UserErrorCode.REQUIRED, "Country is required.", at("country"));
  } else if (!rules) {
    const hint = location.country === "UK" ? ' Use "GB" for the United Kingdom.' : "";
    p.add(UserErrorCode.INVALID_COUNTRY, `"${location.country}" is not an ISO 3166-1 alpha-2 country code.${hint}`, at("country"));
  }
  if (location.state !== null) {
    if (rules && rules.states.length > 0 && !rules.states.includes(location.state)) {
      p.add(UserErrorCode.INVALID_STATE, `"${location.state}" is not a state code of ${rules.country} (see countryValidationRules).`, at("state"));
    } else if (length(location.state) > PROFILE_LIMITS.state) {
      p.add(UserErrorCode.TOO_LONG, `State has at most ${PROFILE_LIMITS.state} characters.`, at("state"));
    }
  }
  const postal = location.postalCode;
  if (rules?.postalCodePattern && postal !== null && length(postal) <= PROFILE_LIMITS.postalCode && !new RegExp(rules.postalCodePattern).test(postal)) {
    p.add(UserErrorCode.INVALID_POSTAL_CODE, `"${postal}" is not a postal code of ${rules.country}.`, at("postalCode"));
  }
  return location;
}

/**
 * The fields an update gives, cleaned, and every problem with them at once
 * (paths into the input). A field left out is absent from the patch; null
 * clears it. Needs nothing stored: a list given replaces the stored one whole.
 */
export function profilePatch(input: BusinessProfileUpdateInput): { patch: Partial<ProfileValues>; problems: UserError[] } {
  const p = new Problems();
  const patch: Partial<ProfileValues> = {};
  if (input.description !== undefined) patch.description = p.text(input.description, "Description", PROFILE_LIMITS.description, ["description"]);
  if (input.website !== undefined) {
    const website = p.text(input.website, "Website", PROFILE_LIMITS.website, ["website"]);
    const problem = website !== null && length(website) <= PROFILE_LIMITS.website ? websiteProblem(website) : null;
    if (problem) p.add(UserErrorCode.INVALID, problem, ["website"]);
    patch.website = website;
  }
  for (const field of PROFILE_LISTS) {
    const given = input[field];
    if (given !== undefined) patch[field] = cleanList(given, field, p);
  }
  if (input.locations !== undefined) {
    const given = input.locations ?? [];
    if (given.length > PROFILE_LIMITS.locations) p.add(UserErrorCode.TOO_LONG, `At most ${PROFILE_LIMITS.locations} locations; got ${given.length}.`, ["locations"]);
    patch.locations = given.map((location, i) => cleanLocation(location, i, p));
  }
  if (Object.keys(patch).length === 0 && p.list.length === 0) {
    p.add(UserErrorCode.REQUIRED, "Give at least one field of the profile to change.", []);
  }
  return { patch, problems: p.list };
}
