import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { documentSearchODataRoutes } from '../../proxy/search-openapi';

/** Swagger UI at /docs, the OpenAPI document at /docs/json. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('AI Proxy')
    .setDescription(
      'Azure OpenAI and OpenAI-compatible backends behind time-bound, per-attendee API keys. ' +
        'Admin routes take `Authorization: Bearer <ADMIN_TOKEN>`; attendee routes take the event key in ' +
        '`api-key` or `Authorization: Bearer`. Realtime sessions are WebSockets on the same port ' +
        '(`/openai/v1/realtime?model=`, `/openai/realtime?api-version=&deployment=`, `/v1/realtime?model=`); see the ' +
        '"Proxy: Realtime (WebSocket)" section.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'admin-token')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Attendee event key (aip_…)' }, 'attendee-key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'api-key', description: 'Attendee event key (aip_…)' }, 'api-key')
    .addCookieAuth('aip_attendee_session', { type: 'apiKey', in: 'cookie', description: 'Attendee sign-in session (GitHub)' }, 'aip_attendee_session')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  documentSearchODataRoutes(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json', yamlDocumentUrl: 'docs/yaml' });
}
