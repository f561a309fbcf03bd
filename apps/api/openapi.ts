import { INestApplication } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER_SCHEME, BEARER_SCHEME, documentRequiredScopes } from '@strata/api-keys';
import { ProblemDetailsSchema } from '@strata/core';
import { documentEventTypes } from '@strata/webhooks';
import { version } from '../../package.json';
import { documentApiIndex } from './api-index';
import { describeTags, keepOptionalQueryExamplesOutOfTryItOut, orderTags } from './openapi-presentation';
import { documentNullableReferences } from './openapi-nullable';
import { documentRequestBodies } from './openapi-request-bodies';
import { documentSharedResponses } from './openapi-shared-responses';

/** The OpenAPI 3 document at /docs-json and Swagger UI at /docs. */
export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/**
 * The document itself, from the application's routes and DTOs. It needs no connection: the
 * typed client builds it from an application created in Nest's preview mode (openapi-offline.ts).
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      // OpenAPI 3.0.3, not 3.1: @nestjs/swagger 11.4 can only relabel the version, while it still
      // writes 3.0 schemas (`nullable`, `example`, no `type: [..., "null"]`, no `webhooks`), which a
      // 3.1 reader takes differently (a 3.1 document with `nullable` would refuse every null).
      // 3.0.3 is the 3.0 release whose wording of `nullable` the document follows (openapi-nullable.ts).
      .setOpenAPIVersion('3.0.3')
      .setTitle('Strata')
      .setDescription(
        'Headless content API with the production layer built in. Errors are RFC 9457 problem+json; ' +
          'lists use cursor pagination; single resources carry strong ETags.',
      )
      // The release (package.json), not the URL's /v1: clients compare it across deploys.
      .setVersion(version)
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      // Relative: the document describes the host that serves it, whatever name clients reach it by.
      .addServer('/', 'This Strata instance (the host serving this document)')
      // bearerFormat is a hint for people and generators; keys are opaque `sk_` strings, not JWTs
      // (Nest's default label), so a client must not try to decode them.
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'sk_ API key', description: 'An API key: `Authorization: Bearer sk_…`' }, BEARER_SCHEME)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key: `X-API-Key: sk_…`' }, API_KEY_HEADER_SCHEME)
      .build(),
    {
      extraModels: [ProblemDetailsSchema],
      // Client generators name methods after operationIds: `pages_list`, `apiKeys_rotate`, not
      // Nest's default `PagesController_list`, which exposed a class name and changed with it.
      operationIdFactory: (controllerKey, methodKey) => `${lowerFirst(controllerKey.replace(/Controller$/, ''))}_${methodKey}`,
    },
  );
  documentApiIndex(document);
  documentRequiredScopes(document);
  documentSharedResponses(document);
  documentRequestBodies(document);
  documentNullableReferences(document);
  documentEventTypes(document);
  orderTags(document);
  describeTags(document);
  keepOptionalQueryExamplesOutOfTryItOut(document);
  return document;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
