import { registerDecorator, ValidationOptions } from 'class-validator';

export const MAX_FILENAME_LENGTH = 255;
/** The name a file gets when nothing usable is left of the client's name. */
export const FALLBACK_FILENAME = 'file';
// Extensions longer than this are not kept whole when a long name is shortened.
const MAX_KEPT_EXTENSION = 16;

// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are stripped from names.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidirectional controls can make "invoice\u202Egpj.exe" display as "invoiceexe.jpg".
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Lone surrogates cannot be stored as UTF-8 nor percent-encoded into a header.
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const DOT_RUNS = /\.{2,}/g;
// Leading dots make hidden or relative names; trailing dots and spaces are dropped by Windows.
const EDGE_DOTS_AND_SPACES = /^[\s.]+|[\s.]+$/g;

/**
 * A client's file name made harmless for storing and for a Content-Disposition header: the
 * last path segment only, without control or bidi characters, without `..`, at most 255
 * characters (keeping the extension). It is only ever data: files are stored under keys we
 * generate, never under this name.
 */
export function sanitizeFilename(raw: string): string {
  const lastSegment = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .replace(LONE_SURROGATES, '')
    .replace(CONTROL_CHARACTERS, '')
    .replace(BIDI_CONTROLS, '')
    .replace(DOT_RUNS, '.')
    .replace(EDGE_DOTS_AND_SPACES, '');
  return shorten(cleaned) || FALLBACK_FILENAME;
}

/** Cuts by code points (what PostgreSQL's varchar(255) counts), keeping a short extension. */
function shorten(name: string): string {
  const characters = [...name];
  if (characters.length <= MAX_FILENAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_KEPT_EXTENSION ? [...name.slice(dot)] : [];
  return (
    characters
      .slice(0, MAX_FILENAME_LENGTH - extension.length)
      .join('')
      .trimEnd() + extension.join('')
  );
}

/** A `filename` in a JSON body must already be what `sanitizeFilename` would make of it. */
export function IsSafeFilename(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSafeFilename',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be a plain file name: no path separators, control characters, "..", or leading dots or spaces',
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && sanitizeFilename(value) === value },
    });
}
