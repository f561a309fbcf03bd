// encodeURIComponent leaves these unescaped, but RFC 8187's attr-char does not allow them.
const NOT_ATTR_CHARACTERS = /['()*]/g;

/**
 * `inline; filename*=UTF-8''…` (RFC 6266 with RFC 8187 encoding): any Unicode name arrives
 * intact, and quotes, semicolons or line breaks in it cannot break out of the header.
 */
export function inlineContentDisposition(filename: string): string {
  const encoded = encodeURIComponent(filename).replace(NOT_ATTR_CHARACTERS, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename*=UTF-8''${encoded}`;
}
