import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsSchema } from '@strata/core';

/** The OpenAPI 3 document at /docs-json and Swagger UI at /docs. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Strata')
      .setDescription(
        'Headless content API with the production layer built in. Errors are RFC 9457 problem+json; ' +
          'lists use cursor pagination; single resources carry strong ETags.',
      )
      .setVersion('1')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .build(),
    { extraModels: [ProblemDetailsSchema] },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
