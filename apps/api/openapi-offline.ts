import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@strata/core';
import { AppModule } from '../app.module';
import { API_PREFIX, UNPREFIXED_ROUTES } from './create-http-app';
import { createOpenApiDocument } from './openapi';

/**
 * The document /docs-json serves, built without PostgreSQL, Redis or a listening server: Nest's
 * preview mode reads every controller and DTO but instantiates no provider, so nothing connects.
 * The typed client (packages/client) is generated from it at build time.
 *
 * Built with the default configuration (an empty environment), as a fresh `npm start` serves it.
 */
export async function createOpenApiDocumentOffline(): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(loadConfig({}, false)), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  try {
    app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
