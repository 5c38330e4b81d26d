import { applyDecorators, Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators/auth.decorators';
import { OpenAiErrorSchema, toOpenApi } from '../common/validation/openapi';
import { realtimeErrors } from './realtime.errors';

const DESCRIPTION = `A **WebSocket** endpoint on the same port as the HTTP API; the upgrade is handled before any HTTP route,
so a plain GET only answers 426. Connect with a WebSocket client (e.g. the openai SDK's \`OpenAIRealtimeWS\`):

| URL | Upstream protocol |
|---|---|
| \`/openai/v1/realtime?model={deployment}\` | Azure GA / OpenAI GA events |
| \`/openai/realtime?api-version={version}&deployment={deployment}\` | Azure preview (beta events) |
| \`/v1/realtime?model={deployment}\` | OpenAI (GA, or beta with \`OpenAI-Beta: realtime=v1\`) |

The same paths work under \`/api/v1\`. The attendee key goes in \`api-key\`, \`Authorization: Bearer\`, \`?api-key=\` / \`?key=\`,
or the browser subprotocol \`openai-insecure-api-key.{key}\`; the \`realtime\` subprotocol is echoed. The deployment must be
attached to the event with class \`openai-realtime\`.

Refusals happen **before** the upgrade, as HTTP answers in the OpenAI error shape: 401 (key, event window, revoked),
404 (unknown deployment), 400 (not a realtime deployment, no deployment named), 429 (the event's \`maxRealtimeSessions\`
per attendee, or the daily request cap: a session counts as one request), 502/503/504 (no backend could be opened).

Frames are relayed verbatim in both directions. Tokens are metered from every \`response.done\` (one usage record each).
When the event ends or is deactivated, the key is revoked, or the session reaches the event's \`maxRealtimeSessionSeconds\`,
the client receives \`{"type":"error","error":{"type":"invalid_request_error","code":"event_ended"|"event_inactive"|"key_revoked"|"session_expired","message":…}}\`
and the socket closes with code 1008 and the code as reason. Upstream close codes are passed on.`;

const PATHS = ['openai/v1/realtime', 'openai/realtime', 'v1/realtime'];
const RefusalResponses = () =>
  applyDecorators(
    ...[400, 401, 404, 426, 429, 503].map((status) =>
      ApiResponse({
        status,
        description: status === 426 ? 'A plain GET: upgrade to WebSocket' : 'OpenAI-shaped error, answered instead of upgrading',
        schema: toOpenApi(OpenAiErrorSchema, 'output'),
      }),
    ),
  );

/** Documents the realtime WebSocket endpoint; the gateway handles the upgrade itself. */
@ApiTags('Proxy: Realtime (WebSocket)')
@Controller()
export class RealtimeController {
  @Get(PATHS)
  @Public()
  @ApiSecurity('api-key')
  @ApiBearerAuth('attendee-key')
  @ApiOperation({ summary: 'Realtime session (WebSocket upgrade)', description: DESCRIPTION })
  @ApiQuery({ name: 'model', required: false, description: 'Deployment name (GA and OpenAI URLs)' })
  @ApiQuery({ name: 'deployment', required: false, description: 'Deployment name (Azure preview URL)' })
  @ApiQuery({ name: 'api-version', required: false, description: 'Azure preview api-version, e.g. 2025-04-01-preview' })
  @ApiQuery({ name: 'api-key', required: false, description: 'Attendee key, for browsers that cannot set headers (never logged)' })
  @ApiHeader({ name: 'Sec-WebSocket-Protocol', required: false, description: '`realtime`, optionally `openai-insecure-api-key.{key}` and `openai-beta.realtime-v1`' })
  @ApiResponse({ status: 101, description: 'Switching Protocols: the session is open and relayed to the upstream' })
  @RefusalResponses()
  upgrade(): never {
    throw realtimeErrors.upgradeRequired();
  }

  /** The same answer under /api/v1, left out of the document to keep it short (the description names them). */
  @Get(PATHS.map((p) => `api/v1/${p}`))
  @Public()
  @ApiExcludeEndpoint()
  upgradeUnderApi(): never {
    throw realtimeErrors.upgradeRequired();
  }
}
