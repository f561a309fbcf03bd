/**
 * A bodySerializer for multipart uploads (POST /api/v1/media): the typed body becomes FormData,
 * a Blob or File as a file part, an array as one field per item, other values as text.
 *
 *   await unwrap(strata.POST('/api/v1/media', { body: { file, altText: 'Roof' }, bodySerializer: multipart }));
 *
 * The browser or Node sets the multipart Content-Type with its boundary.
 */
export function multipart(body: object): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (item === undefined || item === null) continue;
      if (item instanceof Blob) form.append(name, item);
      else form.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item as string | number | boolean));
    }
  }
  return form;
}
