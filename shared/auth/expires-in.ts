/** An `--expires-in` value is not a whole number with a unit. */
export class InvalidDurationError extends Error {
  override readonly name = 'InvalidDurationError';
}

const UNIT_SECONDS = { d: 86_400, h: 3600, m: 60, s: 1 } as const;
/** Ten years: past that an expiry protects nothing, and a typo (9000d for 90d) is likelier than intent. */
const MAX_SECONDS = 3650 * UNIT_SECONDS.d;

/** `90d`, `12h`, `30m`, `45s` -> seconds. */
export function parseExpiresIn(text: string): number {
  const match = /^(\d{1,10})([dhms])$/.exec(text.trim());
  const unit = match?.[2];
  const seconds = match === null || unit === undefined || !isUnit(unit) ? undefined : Number(match[1]) * UNIT_SECONDS[unit];
  if (seconds === undefined || seconds < 1 || seconds > MAX_SECONDS) {
    throw new InvalidDurationError(`must be a whole number and one unit, d, h, m or s (90d, 12h, 30m, 45s), from 1s to 3650d; got '${text}'`);
  }
  return seconds;
}

function isUnit(unit: string): unit is keyof typeof UNIT_SECONDS {
  return Object.hasOwn(UNIT_SECONDS, unit);
}
