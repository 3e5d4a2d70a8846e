import { FieldPath, UserError, userError, UserErrorCode } from "../../graphql/errors";
import { Cloud } from "../partners/partner.enums";
import { countryRules } from "./country-rules";

export const DOMAIN_SUFFIX = ".onmicrosoft.com";
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const PHONE = /^\+?[0-9][0-9 ().-]{4,24}$/;
const LANGUAGE = /^[a-z]{2}$/;

/** The email check of billing profiles, for other modules' contacts (referrals). */
export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** The phone number check of billing profiles, for other modules' contacts (referrals). */
export function isPhoneNumber(value: string): boolean {
  return PHONE.test(value);
}

/** A billing profile after trimming, as stored. */
export interface BillingProfileValues {
  companyName: string;
  firstName: string | null;
  lastName: string | null;
  email: string;
  phoneNumber: string | null;
  culture: string;
  language: string;
  address: {
    addressLine1: string;
    addressLine2: string | null;
    city: string | null;
    state: string | null;
    postalCode: string | null;
    country: string;
  };
}

export function clean(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** The full default domain of a prefix, lower-case. */
export function defaultDomainOf(prefix: string): string {
  return `${prefix.trim().toLowerCase()}${DOMAIN_SUFFIX}`;
}

/** DOMAIN.md: prefix of letters and digits (a hyphen inside), whole domain 17–43 characters. */
export function domainPrefixProblem(prefix: string): string | null {
  const domain = defaultDomainOf(prefix);
  if (!DOMAIN_PREFIX.test(prefix.trim())) return "The domain prefix may hold only letters and digits, with hyphens inside.";
  if (domain.length < 17 || domain.length > 43) return `The default domain must be 17–43 characters long; ${domain} has ${domain.length}.`;
  return null;
}

/** A full domain: `<prefix>.onmicrosoft.com` in any case, or null when it is not one. */
export function prefixOfDomain(domain: string): string | null {
  const lower = domain.trim().toLowerCase();
  return lower.endsWith(DOMAIN_SUFFIX) ? lower.slice(0, -DOMAIN_SUFFIX.length) : null;
}

class Problems {
  readonly list: UserError[] = [];
  constructor(private readonly base: FieldPath) {}
  add(code: UserErrorCode, message: string, ...field: string[]): void {
    this.list.push(userError(code, message, [...this.base, ...field]));
  }
  text(value: string | null, name: string, max: number, required: boolean, ...field: string[]): void {
    if (value === null) {
      if (required) this.add(UserErrorCode.REQUIRED, `${name} is required.`, ...field);
    } else if (value.length > max) {
      this.add(UserErrorCode.TOO_LONG, `${name} has at most ${max} characters; got ${value.length}.`, ...field);
    }
  }
}

export interface PartnerPlace {
  cloud: Cloud;
  region: string;
}

/**
 * Every problem of a billing profile at once: required fields, lengths, email,
 * phone, culture, language and the per-country rules, plus the partner's region.
 */
export function billingProfileProblems(profile: BillingProfileValues, partner: PartnerPlace, base: FieldPath): UserError[] {
  const p = new Problems(base);
  p.text(profile.companyName, "Company name", 200, true, "companyName");
  p.text(profile.firstName, "First name", 50, false, "firstName");
  p.text(profile.lastName, "Last name", 50, false, "lastName");
  p.text(profile.email, "Email", 254, true, "email");
  if (profile.email !== null && profile.email.length <= 254 && !EMAIL.test(profile.email)) {
    p.add(UserErrorCode.INVALID_EMAIL, `"${profile.email}" is not an email address.`, "email");
  }
  if (profile.phoneNumber !== null && !PHONE.test(profile.phoneNumber)) {
    p.add(UserErrorCode.INVALID_PHONE, "A phone number holds digits, spaces, ( ) . - and an optional leading +.", "phoneNumber");
  }
  if (profile.language === null) p.add(UserErrorCode.REQUIRED, "Language is required.", "language");
  else if (!LANGUAGE.test(profile.language)) p.add(UserErrorCode.INVALID_LANGUAGE, "Language is a two-letter lower-case code such as en.", "language");

  const a = profile.address;
  p.text(a.addressLine1, "Address line 1", 200, true, "address", "addressLine1");
  p.text(a.addressLine2, "Address line 2", 200, false, "address", "addressLine2");
  p.text(a.city, "City", 100, false, "address", "city");
  p.text(a.postalCode, "Postal code", 20, false, "address", "postalCode");

  const country = a.country;
  const rules = country ? countryRules(country) : null;
  if (!country) {
    p.add(UserErrorCode.REQUIRED, "Country is required.", "address", "country");
  } else if (!rules) {
    const hint = country.toUpperCase() === "UK" ? ' Use "GB" for the United Kingdom.' : "";
    p.add(UserErrorCode.INVALID_COUNTRY, `"${country}" is not an ISO 3166-1 alpha-2 country code.${hint}`, "address", "country");
  }
  if (profile.culture === null) p.add(UserErrorCode.REQUIRED, "Culture is required.", "culture");
  if (!rules) return p.list;

  if (partner.cloud === Cloud.US_GOVERNMENT ? rules.country !== "US" : rules.region !== partner.region) {
    p.add(UserErrorCode.REGION_MISMATCH, `${rules.country} is outside your partner region (${partner.cloud === Cloud.US_GOVERNMENT ? "US Government: US only" : partner.region}).`, "address", "country");
  }
  if (profile.culture !== null && !rules.supportedCultures.includes(profile.culture)) {
    p.add(UserErrorCode.INVALID_CULTURE, `Culture for ${rules.country} is one of ${rules.supportedCultures.join(", ")}.`, "culture");
  }
  if (rules.isCityRequired && a.city === null) p.add(UserErrorCode.REQUIRED, `City is required in ${rules.country}.`, "address", "city");
  if (a.state === null) {
    if (rules.isStateRequired) p.add(UserErrorCode.REQUIRED, `State is required in ${rules.country}.`, "address", "state");
  } else if (rules.states.length > 0 && !rules.states.includes(a.state)) {
    p.add(UserErrorCode.INVALID_STATE, `"${a.state}" is not a state code of ${rules.country} (see countryValidationRules).`, "address", "state");
  } else if (a.state.length > 50) {
    p.add(UserErrorCode.TOO_LONG, "State has at most 50 characters.", "address", "state");
  }
  if (a.postalCode === null) {
    if (rules.isPostalCodeRequired) p.add(UserErrorCode.REQUIRED, `Postal code is required in ${rules.country}.`, "address", "postalCode");
  } else if (rules.postalCodePattern && a.postalCode.length <= 20 && !new RegExp(rules.postalCodePattern).test(a.postalCode)) {
    p.add(UserErrorCode.INVALID_POSTAL_CODE, `"${a.postalCode}" is not a postal code of ${rules.country}.`, "address", "postalCode");
  }
  if (rules.isPhoneRequired && profile.phoneNumber === null) {
    p.add(UserErrorCode.PHONE_REQUIRED, `A phone number is required for customers in ${rules.country}.`, "phoneNumber");
  }
  return p.list;
}

/** Registration number: required (with a pattern) in some countries, refused in the others. */
export function registrationNumberProblems(number: string | null, country: string | null, base: FieldPath): UserError[] {
  const rules = country ? countryRules(country) : null;
  if (!rules) return [];
  const p = new Problems(base);
  if (rules.isRegistrationNumberRequired) {
    if (number === null) {
      p.add(UserErrorCode.REGISTRATION_NUMBER_REQUIRED, `A company registration number is required in ${rules.country}.`, "organizationRegistrationNumber");
    } else if (!new RegExp(rules.registrationNumberPattern!).test(number)) {
      p.add(UserErrorCode.INVALID_REGISTRATION_NUMBER, `"${number}" is not a registration number of ${rules.country}.`, "organizationRegistrationNumber");
    }
  } else if (number !== null) {
    p.add(UserErrorCode.REGISTRATION_NUMBER_NOT_ALLOWED, `Registration numbers are not accepted for ${rules.country}.`, "organizationRegistrationNumber");
  }
  return p.list;
}

/** Trims every field and upper-cases codes; empty strings count as absent. */
export function cleanBillingProfile(input: {
  companyName?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phoneNumber?: string | null;
  culture?: string | null;
  language?: string | null;
  address?: { addressLine1?: string | null; addressLine2?: string | null; city?: string | null; state?: string | null; postalCode?: string | null; country?: string | null } | null;
}): BillingProfileValues {
  const a = input.address ?? {};
  return {
    companyName: clean(input.companyName) as string,
    firstName: clean(input.firstName),
    lastName: clean(input.lastName),
    email: clean(input.email) as string,
    phoneNumber: clean(input.phoneNumber),
    culture: clean(input.culture) as string,
    language: clean(input.language)?.toLowerCase() as string,
    address: {
      addressLine1: clean(a.addressLine1) as string,
      addressLine2: clean(a.addressLine2),
      city: clean(a.city),
      state: clean(a.state)?.toUpperCase() ?? null,
      postalCode: clean(a.postalCode),
      country: clean(a.country)?.toUpperCase() as string,
    },
  };
}

