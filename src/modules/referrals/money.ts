import { Field, InputType, ObjectType } from "type-graphql";
import { FieldPath, UserError, userError, UserErrorCode } from "../../graphql/errors";

/** Active ISO 4217 currency codes (a built-in list; funds and precious metals left out). */
export const CURRENCIES: ReadonlySet<string> = new Set(
  (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK " +
    "DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF " +
    "KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK " +
    "PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX " +
    "USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL"
  ).split(" "),
);

/** A non-negative decimal with at most 15 integer digits and 2 decimals, as a string (never a float). */
export const AMOUNT = /^\d{1,15}(\.\d{1,2})?$/;

@InputType({ description: "An amount of money: a decimal string and an ISO 4217 currency code." })
export class MoneyInput {
  @Field(() => String, { description: 'A non-negative decimal string with at most 2 decimals, e.g. "125000.00".' })
  amount: string;

  @Field(() => String, { description: "ISO 4217, e.g. USD." })
  currency: string;
}

@ObjectType({ simpleResolvers: true, description: "An amount of money." })
export class Money {
  @Field(() => String, { description: 'A decimal string with 2 decimals, e.g. "125000.00".' })
  amount: string;

  @Field(() => String, { description: "ISO 4217, e.g. USD." })
  currency: string;
}

export interface MoneyValues {
  amount: string;
  currency: string;
}

/** Every problem of a money input (paths under `base`), or the cleaned values. */
export function checkMoney(input: MoneyInput, base: FieldPath, problems: UserError[]): MoneyValues | null {
  const amount = input.amount.trim();
  const currency = input.currency.trim().toUpperCase();
  let ok = true;
  if (amount === "") {
    problems.push(userError(UserErrorCode.REQUIRED, "An amount is required.", [...base, "amount"]));
    ok = false;
  } else if (/^-/.test(amount)) {
    problems.push(userError(UserErrorCode.INVALID, "An amount must not be negative.", [...base, "amount"]));
    ok = false;
  } else if (!AMOUNT.test(amount)) {
    problems.push(userError(UserErrorCode.INVALID, 'An amount is a decimal string with at most 15 digits before the point and 2 after, e.g. "125000.00".', [...base, "amount"]));
    ok = false;
  }
  if (!CURRENCIES.has(currency)) {
    problems.push(userError(UserErrorCode.INVALID, `"${input.currency}" is not an ISO 4217 currency code (e.g. USD, EUR).`, [...base, "currency"]));
    ok = false;
  }
  return ok ? { amount, currency } : null;
}
