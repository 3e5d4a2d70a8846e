/**
 * The built-in per-country rule table (DOMAIN.md, Validation) and the CSP
 * regions. `countryValidationRules` serves it so clients can pre-check.
 */

const ISO_COUNTRIES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
  "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
  "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
  "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
  "MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
  "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
  "UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
).split(" ");
const ISO_SET = new Set(ISO_COUNTRIES);

const REGION_MEMBERS: Record<string, string> = {
  NORTH_AMERICA: "US CA",
  EUROPE:
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO GB CH AX FO GI GG IM JE MC SM VA AD",
  EASTERN_EUROPE_CENTRAL_ASIA: "RU UA BY MD AM AZ GE KZ KG TJ UZ TM AL BA ME MK RS",
  LATIN_AMERICA:
    "MX BR AR CL CO PE VE EC BO PY UY GY SR GT HN SV NI CR PA CU DO HT JM TT BB BS BZ AG DM GD KN LC VC AW CW SX BQ PR VI VG AI KY MS TC GP MQ GF BL MF PM BM FK GS",
  ASIA_PACIFIC:
    "AU NZ JP CN HK MO TW KR KP IN PK BD LK NP BT MV SG MY ID TH VN PH KH LA MM BN TL MN FJ PG SB VU NC PF WS TO TV KI NR MH FM PW GU MP AS CK NU TK WF NF CX CC HM IO UM AQ PN",
  MIDDLE_EAST_AFRICA:
    "AE SA QA KW BH OM YE IQ IR IL PS JO LB SY TR EG LY TN DZ MA EH MR ML NE TD SD SS ER DJ SO ET KE UG TZ RW BI CD CG CF CM GA GQ ST NG BJ TG GH CI LR SL GN GW SN GM CV BF AO ZM ZW MW MZ MG MU SC KM RE YT NA BW ZA LS SZ SH AF BV TF",
};

const REGION_OF = new Map<string, string>();
for (const [region, members] of Object.entries(REGION_MEMBERS)) for (const code of members.split(" ")) REGION_OF.set(code, region);

export function isCountryCode(code: string): boolean {
  return ISO_SET.has(code);
}

/** The CSP region of a country; a country in no group is a region of its own. */
export function regionOf(country: string): string {
  return REGION_OF.get(country) ?? `COUNTRY_${country}`;
}

export interface CountryRules {
  country: string;
  region: string;
  defaultCulture: string;
  supportedCultures: string[];
  isCityRequired: boolean;
  isStateRequired: boolean;
  states: string[];
  isPostalCodeRequired: boolean;
  postalCodePattern: string | null;
  isRegistrationNumberRequired: boolean;
  registrationNumberPattern: string | null;
  isPhoneRequired: boolean;
}

type Override = Partial<Omit<CountryRules, "country" | "region">>;

const US_STATES =
  "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split(" ");
const CA_PROVINCES = "AB BC MB NB NL NS NT NU ON PE QC SK YT".split(" ");
const MX_STATES =
  "AGU BCN BCS CAM CHP CHH CMX COA COL DUR GUA GRO HID JAL MEX MIC MOR NAY NLE OAX PUE QUE ROO SLP SIN SON TAB TAM TLA VER YUC ZAC".split(" ");

/** Countries whose companies must give a registration number (and a phone number). */
const REGISTRATION_PATTERNS: Record<string, string> = {
  AM: "^[0-9]{8}$",
  AZ: "^[0-9]{10}$",
  BY: "^[0-9]{9}$",
  HU: "^[0-9]{2}-?[0-9]{2}-?[0-9]{6}$",
  KZ: "^[0-9]{12}$",
  KG: "^[0-9]{14}$",
  MD: "^[0-9]{13}$",
  RU: "^([0-9]{10}|[0-9]{12}|[0-9]{13})$",
  TJ: "^[0-9]{9}$",
  UZ: "^[0-9]{9}$",
  UA: "^([0-9]{8}|[0-9]{10})$",
};

const OVERRIDES: Record<string, Override> = {
  US: { supportedCultures: ["en-US", "es-US"], isStateRequired: true, states: US_STATES, isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}(-[0-9]{4})?$" },
  CA: { supportedCultures: ["en-CA", "fr-CA"], isStateRequired: true, states: CA_PROVINCES, isPostalCodeRequired: true, postalCodePattern: "^[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]$" },
  MX: { supportedCultures: ["es-MX", "en-US"], isStateRequired: true, states: MX_STATES, isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}$" },
  GB: { supportedCultures: ["en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$" },
  DE: { supportedCultures: ["de-DE", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}$" },
  FR: { supportedCultures: ["fr-FR", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}$" },
  AU: { supportedCultures: ["en-AU"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{4}$" },
  JP: { supportedCultures: ["ja-JP", "en-US"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{3}-?[0-9]{4}$" },
  IN: { supportedCultures: ["en-IN", "hi-IN"], isPostalCodeRequired: true, postalCodePattern: "^[1-9][0-9]{5}$" },
  BR: { supportedCultures: ["pt-BR"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}-?[0-9]{3}$" },
  RU: { supportedCultures: ["ru-RU", "en-US"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{6}$" },
  UA: { supportedCultures: ["uk-UA", "en-US"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}$" },
  HU: { supportedCultures: ["hu-HU", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{4}$" },
  NL: { supportedCultures: ["nl-NL", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{4} ?[A-Za-z]{2}$" },
  ES: { supportedCultures: ["es-ES", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}$" },
  IT: { supportedCultures: ["it-IT", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{5}$" },
  CH: { supportedCultures: ["de-CH", "fr-CH", "it-CH", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{4}$" },
  AT: { supportedCultures: ["de-AT", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{4}$" },
  IE: { supportedCultures: ["en-IE", "en-GB"] },
  PL: { supportedCultures: ["pl-PL", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{2}-[0-9]{3}$" },
  SE: { supportedCultures: ["sv-SE", "en-GB"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{3} ?[0-9]{2}$" },
  NZ: { supportedCultures: ["en-NZ"], isPostalCodeRequired: true, postalCodePattern: "^[0-9]{4}$" },
};

const cache = new Map<string, CountryRules>();

/** The rules for a valid ISO country code, or null for anything else. */
export function countryRules(country: string): CountryRules | null {
  const code = country.toUpperCase();
  if (!ISO_SET.has(code)) return null;
  let rules = cache.get(code);
  if (!rules) {
    const override = OVERRIDES[code] ?? {};
    const registrationNumberPattern = REGISTRATION_PATTERNS[code] ?? null;
    const supportedCultures = override.supportedCultures ?? [`en-${code}`, "en-US"];
    rules = {
      country: code,
      region: regionOf(code),
      defaultCulture: supportedCultures[0]!,
      supportedCultures,
      isCityRequired: true,
      isStateRequired: false,
      states: [],
      isPostalCodeRequired: false,
      postalCodePattern: null,
      isRegistrationNumberRequired: registrationNumberPattern !== null,
      registrationNumberPattern,
      isPhoneRequired: registrationNumberPattern !== null,
      ...override,
    };
    cache.set(code, rules);
  }
  return rules;
}
