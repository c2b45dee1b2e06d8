import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const SWAGGER_PATH = 'api';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Northstar API')
    .setDescription('Roadmap items, organizations and members. Errors are {statusCode, error, message, code?, requestId}.')
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /api, the document at /api-json. */
export function setupSwagger(app: INestApplication, ui = true): void {
  SwaggerModule.setup(SWAGGER_PATH, app, () => buildOpenApiDocument(app), { ui, jsonDocumentUrl: `${SWAGGER_PATH}-json`, raw: ['json'] });
}
