/**
 * How values travel through Redis: JSON that round-trips `Date`s and any nested JSON exactly.
 * A Date becomes `{"$date": iso}`; a plain object that happens to look like one of our markers
 * is wrapped in `{"$plain": …}` so that it decodes back to itself.
 */
const DATE = '$date';
const PLAIN = '$plain';

function looksLikeMarker(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === DATE || keys[0] === PLAIN);
}

function toWire(value: unknown): unknown {
  if (value instanceof Date) return { [DATE]: value.toISOString() };
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const mapped: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) mapped[key] = toWire(inner);
    return looksLikeMarker(mapped) ? { [PLAIN]: mapped } : mapped;
  }
  return value;
}

function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (looksLikeMarker(object)) {
      if (DATE in object) return new Date(object[DATE] as string);
      return mapValues(object[PLAIN] as Record<string, unknown>);
    }
    return mapValues(object);
  }
  return value;
}

function mapValues(object: Record<string, unknown>): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(object)) mapped[key] = fromWire(inner);
  return mapped;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify(toWire(value));
}

export function decodeValue<T>(text: string): T {
  return fromWire(JSON.parse(text)) as T;
}
