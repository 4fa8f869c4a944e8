/**
 * find/dates — a calendar date as the digit strings people write it in.
 *
 * Forms: DDMMYYYY, MMDDYYYY, YYYYMMDD and the two-digit-year forms DDMMYY, MMDDYY, YYMMDD.
 * Equal strings are merged and keep every name (1 January 2001: DDMMYYYY = MMDDYYYY = 01012001,
 * DDMMYY = MMDDYY = YYMMDD = 010101), so each distinct string is searched once and reported under
 * all of its names.
 *
 * Accepted input: ISO `YYYY-MM-DD`, `YYYY/MM/DD`, and `A/B/YYYY`, `A.B.YYYY`, `A-B-YYYY`. For the
 * last three, a first number above 12 means day first, a second number above 12 means month
 * first (US), and when both are <= 12 the reading is day first (the common one outside the US);
 * since both DDMMYYYY and MMDDYYYY are always searched, the ambiguity only changes YYYYMMDD and
 * YYMMDD, and the result says which reading was used.
 */
import { InvalidArgumentError } from '../../errors.js';

export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export type DateFormName = 'DDMMYYYY' | 'MMDDYYYY' | 'YYYYMMDD' | 'DDMMYY' | 'MMDDYY' | 'YYMMDD';

export interface DateForm {
  /** The digits to search. */
  readonly digits: string;
  /** Every form that writes the date as these digits. */
  readonly forms: DateFormName[];
}

const ISO = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const DAY_MONTH_YEAR = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$/;

/**
 * True for text that looks like a date (has separators), as opposed to a plain digit string.
 * Only the shape is checked: `parseDate` may still refuse the text (month 13, 31 February).
 * @example
 * looksLikeDate('1987-03-14'); // true
 * looksLikeDate('19870314'); // false
 */
export function looksLikeDate(text: string): boolean {
  return ISO.test(text.trim()) || DAY_MONTH_YEAR.test(text.trim());
}

/**
 * Parses a date in one of the accepted notations (see the module comment for the day/month reading).
 * @throws {InvalidArgumentError} the text is in none of the accepted notations, the month is not 1..12,
 * or the day does not exist in that month (leap years counted)
 * @example
 * parseDate('03/14/2015'); // { year: 2015, month: 3, day: 14 } (14 > 12, so month first)
 * parseDate('04.03.2015'); // { year: 2015, month: 3, day: 4 } (ambiguous: day first)
 */
export function parseDate(text: string): CalendarDate {
  const trimmed = text.trim();
  const iso = ISO.exec(trimmed);
  if (iso) return checkedDate(text, Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dmy = DAY_MONTH_YEAR.exec(trimmed);
  if (dmy) {
    const a = Number(dmy[1]);
    const b = Number(dmy[3]);
    const year = Number(dmy[4]);
    const monthFirst = a <= 12 && b > 12;
    return monthFirst ? checkedDate(text, year, a, b) : checkedDate(text, year, b, a);
  }
  throw new InvalidArgumentError(
    `date "${text}": expected YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY (for example 1987-03-14)`,
  );
}

function checkedDate(text: string, year: number, month: number, day: number): CalendarDate {
  if (month < 1 || month > 12) throw new InvalidArgumentError(`date "${text}": month ${month} is not 1..12`);
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) throw new InvalidArgumentError(`date "${text}": day ${day} is not 1..${last} for month ${month} of ${year}`);
  return { year, month, day };
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * `YYYY-MM-DD`, the year padded to four digits.
 * @example
 * isoDate({ year: 987, month: 3, day: 4 }); // '0987-03-04'
 */
export function isoDate(date: CalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad2(date.month)}-${pad2(date.day)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The distinct digit strings of a date (a `CalendarDate` or text `parseDate` accepts), in form order.
 * @throws {InvalidArgumentError} `date` is text that `parseDate` refuses
 * @example
 * dateForms('2001-01-01').map((f) => f.digits); // ['01012001', '20010101', '010101']
 */
export function dateForms(date: CalendarDate | string): DateForm[] {
  const d = typeof date === 'string' ? parseDate(date) : date;
  const dd = pad2(d.day);
  const mm = pad2(d.month);
  const yyyy = String(d.year).padStart(4, '0');
  const yy = yyyy.slice(-2);
  const all: [DateFormName, string][] = [
    ['DDMMYYYY', dd + mm + yyyy],
    ['MMDDYYYY', mm + dd + yyyy],
    ['YYYYMMDD', yyyy + mm + dd],
    ['DDMMYY', dd + mm + yy],
    ['MMDDYY', mm + dd + yy],
    ['YYMMDD', yy + mm + dd],
  ];
  const merged = new Map<string, DateFormName[]>();
  for (const [name, digits] of all) {
    const names = merged.get(digits);
    if (names) names.push(name);
    else merged.set(digits, [name]);
  }
  return [...merged].map(([digits, forms]) => ({ digits, forms }));
}
