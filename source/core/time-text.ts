/** A unix time as UTC ISO 8601 without milliseconds; values outside JavaScript's calendar are shown raw. */
export function formatTime(seconds: number): string {
	const date = new Date(Math.trunc(seconds) * 1000);
	return Number.isNaN(date.getTime())
		? `${seconds} (outside the calendar)`
		: date.toISOString().replace('.000Z', 'Z');
}

/** A length of time rounded to the unit a person reads: seconds, minutes, hours or days. */
export function duration(seconds: number): string {
	const s = Math.abs(Math.round(seconds));
	if (s < 120) return `${s} s`;
	if (s < 7200) return `${Math.round(s / 60)} min`;
	if (s < 172_800) return `${Math.round(s / 3600)} h`;
	return `${Math.round(s / 86_400)} days`;
}

/** "in 58 min", "3 s ago" or "now", for a unix time against the clock given. */
export function relativeTime(seconds: number, now: number): string {
	const delta = Math.round(seconds - now);
	if (delta === 0) return 'now';
	return delta > 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}
