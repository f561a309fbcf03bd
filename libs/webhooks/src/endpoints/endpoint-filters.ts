/** An endpoint's subscription filters, beside its event patterns (stored as given, `{}` for none). */
export interface EndpointFilters {
  /** Only content items carrying at least one of these tags (exact match). */
  tags?: string[];
}

/**
 * Whether an event's `data` passes an endpoint's filters. A tag filter narrows the events about
 * tagged items (pages, modules, media: their `data.tags`); events that carry no tags at all
 * (relationships, `webhook.*`) are not about a tagged item and are left to the event patterns,
 * so adding a tag filter never silences an endpoint's operational events. A `deleted` event is
 * judged by the item as it was, an update by the item after the change.
 */
export function passesEndpointFilters(filters: EndpointFilters, data: unknown): boolean {
  if (!filters.tags?.length) return true;
  const tags = (data as { tags?: unknown } | null)?.tags;
  if (!Array.isArray(tags)) return true;
  return tags.some((tag) => filters.tags!.includes(tag as string));
}
