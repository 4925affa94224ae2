/**
 * EventBridge's schedule expressions ("Schedule expressions for rules"): `rate(value unit)` and
 * the six-field `cron(minutes hours day-of-month month day-of-week year)`, read into what a
 * scheduler needs to fire them. PutRule refuses what this does not read, as AWS refuses it
 * ("Parameter ScheduleExpression is not valid."). Pure: no clock, no I/O.
 *
 * rate: a whole number ≥ 1 and `minute`, `hour` or `day` — singular for 1, plural otherwise —,
 * one space between, nothing around. cron: minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12
 * or JAN-DEC, day-of-week 1-7 or SUN-SAT (1 is Sunday), year 1970-2199; each field `*`, a value, a
 * range `a-b`, an increment `a/n`, `*\/n` or `a-b/n`, or a list of those; day-of-month also `L`
 * (the month's last day), `LW` (its last weekday) and `nW` (the weekday nearest the n-th);
 * day-of-week also `nL` (the month's last such day) and `n#k` (its k-th); exactly one of
 * day-of-month and day-of-week is `?`.
 */

export type RateUnit = "minute" | "hour" | "day";

export interface RateSchedule {
  readonly kind: "rate";
  readonly value: number;
  readonly unit: RateUnit;
}

/** Which days of a month a cron expression fires on: by day-of-month or by day-of-week. */
export type CronDays =
  | { readonly by: "month-days"; readonly days: readonly number[] }
  | { readonly by: "last-day" }
  | { readonly by: "last-weekday" }
  | { readonly by: "nearest-weekday"; readonly day: number }
  | { readonly by: "weekdays"; readonly weekdays: readonly number[] }
  | { readonly by: "last-weekday-of-kind"; readonly weekday: number }
  | { readonly by: "nth-weekday"; readonly weekday: number; readonly nth: number };

/** A cron expression's fields expanded: the sorted values each allows (weekdays 1 = Sunday). */
export interface CronSchedule {
  readonly kind: "cron";
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: CronDays;
  readonly months: readonly number[];
  readonly years: readonly number[];
}

export type ScheduleExpression = RateSchedule | CronSchedule;

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldRange {
  readonly min: number;
  readonly max: number;
  /** Names standing for min, min + 1, … */
  readonly names?: readonly string[];
}

const minuteRange: FieldRange = { min: 0, max: 59 };
const hourRange: FieldRange = { min: 0, max: 23 };
const dayRange: FieldRange = { min: 1, max: 31 };
const monthRange: FieldRange = { min: 1, max: 12, names: months };
const weekdayRange: FieldRange = { min: 1, max: 7, names: weekdays };
const yearRange: FieldRange = { min: 1970, max: 2199 };

/** The expression read, or undefined when EventBridge would refuse it. */
export function parseScheduleExpression(text: string): ScheduleExpression | undefined {
  const rate = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    const plural = unit.endsWith("s");
    if ((value === 1) === plural) return undefined;
    return { kind: "rate", value, unit: (plural ? unit.slice(0, -1) : unit) as RateUnit };
  }
  const cron = /^cron\(([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+)\)$/.exec(text);
  if (cron) return parseCron(cron.slice(1) as [string, string, string, string, string, string]);
  return undefined;
}

function parseCron([
  minuteField,
  hourField,
  dayField,
  monthField,
  weekdayField,
  yearField,
]: readonly string[]): CronSchedule | undefined {
  const minutes = values(minuteField!, minuteRange);
  const hours = values(hourField!, hourRange);
  const monthValues = values(monthField!, monthRange);
  const years = values(yearField!, yearRange);
  if (!minutes || !hours || !monthValues || !years) return undefined;
  // Exactly one of the two day fields is `?`: the other says which days.
  if ((dayField === "?") === (weekdayField === "?")) return undefined;
  const days = dayField === "?" ? byWeekday(weekdayField!) : byMonthDay(dayField!);
  if (!days) return undefined;
  return { kind: "cron", minutes, hours, days, months: monthValues, years };
}

function byMonthDay(field: string): CronDays | undefined {
  if (field === "L") return { by: "last-day" };
  if (field === "LW") return { by: "last-weekday" };
  const nearest = /^(\d{1,2})W$/.exec(field);
  if (nearest) {
    const day = Number(nearest[1]);
    return day >= 1 && day <= 31 ? { by: "nearest-weekday", day } : undefined;
  }
  const days = values(field, dayRange);
  return days && { by: "month-days", days };
}

function byWeekday(field: string): CronDays | undefined {
  const last = /^([^#L]+)L$/.exec(field);
  if (last) {
    const weekday = single(last[1]!, weekdayRange);
    return weekday === undefined ? undefined : { by: "last-weekday-of-kind", weekday };
  }
  if (field === "L") return { by: "last-weekday-of-kind", weekday: 7 };
  const nth = /^([^#]+)#([1-5])$/.exec(field);
  if (nth) {
    const weekday = single(nth[1]!, weekdayRange);
    return weekday === undefined ? undefined : { by: "nth-weekday", weekday, nth: Number(nth[2]) };
  }
  const list = values(field, weekdayRange);
  return list && { by: "weekdays", weekdays: list };
}

/** A field's list of `*`, values, ranges and increments, expanded and sorted. */
function values(field: string, range: FieldRange): number[] | undefined {
  const out = new Set<number>();
  for (const item of field.split(",")) {
    const expanded = itemValues(item, range);
    if (!expanded) return undefined;
    for (const v of expanded) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function itemValues(item: string, range: FieldRange): number[] | undefined {
  const [base, stepText, ...rest] = item.split("/");
  if (base === undefined || rest.length > 0) return undefined;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText)) return undefined;
    step = Number(stepText);
    if (step < 1) return undefined;
  }
  let from: number;
  let to: number;
  if (base === "*") {
    from = range.min;
    to = range.max;
  } else {
    const bounds = base.split("-");
    if (bounds.length > 2) return undefined;
    const low = single(bounds[0]!, range);
    if (low === undefined) return undefined;
    from = low;
    if (bounds.length === 2) {
      const high = single(bounds[1]!, range);
      if (high === undefined) return undefined;
      to = high;
    } else {
      // `a/n` runs from a to the field's end; `a` alone is one value.
      to = stepText === undefined ? low : range.max;
    }
  }
  const out: number[] = [];
  // A range whose end is below its start wraps around the field (FRI-MON, 22-2).
  const span = to >= from ? to - from : to + (range.max - range.min + 1) - from;
  for (let k = 0; k <= span; k += step) {
    const v = from + k;
    out.push(v > range.max ? v - (range.max - range.min + 1) : v);
  }
  return out;
}

/** One value of the field, as a number or a name, within its range. */
function single(text: string, range: FieldRange): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= range.min && n <= range.max ? n : undefined;
  }
  const index = range.names?.indexOf(text.toUpperCase()) ?? -1;
  return index < 0 ? undefined : range.min + index;
}
