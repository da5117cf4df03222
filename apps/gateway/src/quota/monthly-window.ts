const DAY_MS = 86_400_000;

/** `date` moved by whole months, the day clamped to the target month's last day (as Stripe anchors). */
export function addMonthsClamped(date: Date, months: number): Date {
  const target = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1, date.getUTCHours(), date.getUTCMinutes()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  target.setUTCSeconds(date.getUTCSeconds(), date.getUTCMilliseconds());
  return target;
}

/**
 * The end of the monthly quota window containing `now`. With a billing period the windows are months
 * anchored on its end (an annual plan's allowance renews monthly, on its billing day; a period end
 * already past, not yet renewed by Stripe's event, rolls forward); without one, UTC calendar months.
 */
export function monthlyWindowEnd(periodEnd: string | null, now: Date): Date {
  if (!periodEnd) return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  let end = new Date(periodEnd);
  if (Number.isNaN(end.getTime())) return monthlyWindowEnd(null, now);
  // Bounded: a period end more than ~3 years away is not Stripe's; fall back to calendar months.
  if (Math.abs(end.getTime() - now.getTime()) > 1_100 * DAY_MS) return monthlyWindowEnd(null, now);
  let months = 0;
  while (end.getTime() <= now.getTime()) end = addMonthsClamped(new Date(periodEnd), ++months);
  for (;;) {
    const earlier = addMonthsClamped(new Date(periodEnd), months - 1);
    if (earlier.getTime() <= now.getTime()) return end;
    months -= 1;
    end = earlier;
  }
}
