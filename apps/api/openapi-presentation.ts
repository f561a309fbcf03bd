import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject } from '@nestjs/swagger';

/**
 * How the OpenAPI document reads in Swagger UI, beyond what the decorators say: tags in the
 * order a reader meets the API, and optional query filters that Try-it-out leaves empty.
 */

/** The content API first, in the order one builds a site with it; operator tools last. */
const LEADING_TAGS = ['pages', 'modules', 'media', 'relationships', 'events', 'webhooks', 'api-keys'];
const TRAILING_TAGS = ['cache', 'metrics', 'health'];

/**
 * The document's `tags` list holding every tag an operation uses, in reading order (Swagger UI
 * shows the groups in this order; without the list it falls back to first appearance, which
 * put `cache` before `pages`). A tag neither list names goes between the two, alphabetically.
 */
export function orderTags(document: OpenAPIObject): void {
  const declared = new Map((document.tags ?? []).map((tag) => [tag.name, tag]));
  for (const operation of operations(document)) {
    for (const name of operation.tags ?? []) if (!declared.has(name)) declared.set(name, { name });
  }
  const rank = (name: string) => {
    const leading = LEADING_TAGS.indexOf(name);
    if (leading >= 0) return leading;
    const trailing = TRAILING_TAGS.indexOf(name);
    return trailing >= 0 ? LEADING_TAGS.length + 1 + trailing : LEADING_TAGS.length;
  };
  document.tags = [...declared.values()].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** One line per tag, shown by Swagger UI above the group and used by generators for doc comments. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  pages: 'Pages: documents with a unique slug, a status (draft or published), tags and a body; full-text and typo-tolerant search.',
  modules: 'Modules: reusable content blocks (a type and a JSON body), placed on pages.',
  media: 'Media: uploaded files (multipart), their metadata, and the bytes (Range, ETag, optional redirect to a CDN).',
  relationships: 'Typed, directed links between pages, modules and media, with inverses, and the neighbourhood graph around an item.',
  events: 'Live events: content changes as Server-Sent Events, resumable with Last-Event-ID.',
  webhooks: 'Webhook endpoints: signed (Standard Webhooks) deliveries of content events, retried with backoff, with a delivery log.',
  'api-keys': 'API keys: create, list, verify, rotate, revoke; each key has scopes and a rate-limit tier.',
  cache: 'Cache administration (scope cache:admin): summary, health, statistics, flush and warm-up.',
  metrics: 'Prometheus metrics for operators (outside /api/v1; optionally protected by METRICS_TOKEN).',
  health: 'Liveness and readiness probes for load balancers and orchestrators (outside /api/v1, no key).',
};

/** Gives each tag its description (after orderTags, which lists every tag). */
export function describeTags(document: OpenAPIObject): void {
  for (const tag of document.tags ?? []) tag.description ??= TAG_DESCRIPTIONS[tag.name];
}

/**
 * Swagger UI's Try-it-out fills every parameter that has an example, so `tag=news` and
 * `q=getting started` went along with the first Execute and the list came back empty. An
 * optional query parameter keeps its example in the description, where it documents without
 * being sent. (Required parameters keep theirs: a prefilled required value is a help.)
 */
export function keepOptionalQueryExamplesOutOfTryItOut(document: OpenAPIObject): void {
  for (const operation of operations(document)) {
    for (const parameter of operation.parameters ?? []) {
      if (isReference(parameter) || parameter.in !== 'query' || parameter.required) continue;
      const schema = parameter.schema && !isReference(parameter.schema) ? parameter.schema : undefined;
      const example: unknown = parameter.example ?? schema?.example;
      delete parameter.example;
      delete parameter.examples;
      if (schema) delete schema.example;
      if (example !== undefined) {
        const shown = typeof example === 'string' ? example : JSON.stringify(example);
        parameter.description = `${parameter.description ? `${parameter.description.replace(/\.?\s*$/, '.')} ` : ''}Example: \`${shown}\`.`;
      }
    }
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operations(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((item) => METHODS.flatMap((method) => (item[method] ? [item[method]] : [])));
}

function isReference(value: ParameterObject | ReferenceObject | object): value is ReferenceObject {
  return '$ref' in value;
}
