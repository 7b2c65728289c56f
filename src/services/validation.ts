import { BadInput } from '../errors';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trimmed text of 1 to `max` characters, or BAD_USER_INPUT naming the field. */
export function requireText(value: string | null | undefined, field: string, max: number): string {
  const text = (value ?? '').trim();
  if (text.length === 0 || text.length > max) throw BadInput(`${field} must be 1 to ${max} characters.`, field);
  return text;
}

export function requireEmail(value: string | null | undefined, field = 'contactEmail'): string {
  const email = requireText(value, field, 254);
  if (!EMAIL.test(email)) throw BadInput(`${field} is not an email address.`, field);
  return email;
}

/** An integer ≥ `min`, or null (which clears an override). */
export function optionalInt(value: number | null, field: string, min: number): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < min || value > 1_000_000_000) throw BadInput(`${field} must be an integer ≥ ${min}, or null.`, field);
  return value;
}
