// RFC 6838 restricted-name, lower case (busboy lowercases the part's Content-Type and we
// lowercase filters), so the database only ever compares one spelling.
const RESTRICTED_NAME = '[a-z0-9][a-z0-9!#$&^_.+-]{0,126}';

/** A media type without parameters: `type/subtype`. */
export const MEDIA_TYPE_PATTERN = new RegExp(`^${RESTRICTED_NAME}/${RESTRICTED_NAME}$`);

/** A list filter: an exact media type, or `type/*` for all of its subtypes. */
export const MEDIA_TYPE_FILTER_PATTERN = new RegExp(`^${RESTRICTED_NAME}/(?:${RESTRICTED_NAME}|\\*)$`);

/** RFC 2046's "arbitrary binary data": what a file whose type we cannot read is. */
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

export function mediaTypeOrDefault(sent: string | undefined): string {
  const normalized = sent?.trim().toLowerCase();
  return normalized && MEDIA_TYPE_PATTERN.test(normalized) ? normalized : DEFAULT_MEDIA_TYPE;
}
