import { STATUS_CODES } from 'node:http';

/**
 * Which upstream the request addressed: error bodies and headers differ between Azure and OpenAI.
 * `inference` is Azure AI Inference (model-catalog endpoints: `{endpoint}/chat/completions`, …).
 */
export type Surface = 'azure' | 'azure-v1' | 'openai' | 'search' | 'inference';

/** Thrown anywhere in the pipeline; the app's error handler writes it verbatim. */
export class SimulatedError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`simulated ${status}`);
    this.name = SimulatedError.name;
  }
}

const safe = { filtered: false, severity: 'safe' } as const;
const notDetected = { filtered: false, detected: false } as const;

export function promptFilterCategories(): Record<string, unknown> {
  return { hate: safe, jailbreak: notDetected, self_harm: safe, sexual: safe, violence: safe };
}

export function completionFilterCategories(): Record<string, unknown> {
  return {
    hate: safe,
    protected_material_code: notDetected,
    protected_material_text: notDetected,
    self_harm: safe,
    sexual: safe,
    violence: safe,
  };
}

export function promptFilterResults(): unknown[] {
  return [{ prompt_index: 0, content_filter_results: promptFilterCategories() }];
}

const AZURE_UNAUTHORIZED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an ' +
  'active subscription and use a correct regional API endpoint for your resource.';
const DEPLOYMENT_NOT_FOUND =
  'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, ' +
  'please wait a moment and try again.';
const CONTENT_FILTERED =
  "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify " +
  'your prompt and retry. To learn more about our content filtering policies please read our documentation: ' +
  'https://go.microsoft.com/fwlink/?linkid=2198766';
const IMAGE_POLICY =
  'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by ' +
  'our safety system.';
const INTERNAL = 'The server had an error while processing your request.';
const OVERLOADED = 'The engine is currently overloaded, please try again later.';

export const errors = {
  azureUnauthorized: (): SimulatedError => new SimulatedError(401, { error: { code: '401', message: AZURE_UNAUTHORIZED } }),

  openAiUnauthorized(presented: string | undefined): SimulatedError {
    const message =
      presented === undefined || presented === ''
        ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer " +
          'auth (i.e. Authorization: Bearer YOUR_KEY).'
        : `Incorrect API key provided: ${maskKey(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
    return new SimulatedError(401, {
      error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
  },

  searchUnauthorized: (): SimulatedError =>
    new SimulatedError(401, { error: { code: '', message: 'Authentication failed: no api-key or bearer token.' } }),

  searchForbidden: (): SimulatedError =>
    new SimulatedError(403, { error: { code: '', message: 'Authorization failed: the api-key is not valid.' } }),

  resourceNotFound: (): SimulatedError =>
    new SimulatedError(404, { error: { code: '404', message: 'Resource not found' } }),

  deploymentNotFound: (): SimulatedError =>
    new SimulatedError(404, { error: { code: 'DeploymentNotFound', message: DEPLOYMENT_NOT_FOUND } }),

  modelNotFound: (model: string): SimulatedError =>
    new SimulatedError(404, {
      error: {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    }),

  badRequest: (message: string, param: string | null = null, code: string | null = null): SimulatedError =>
    new SimulatedError(400, { error: { message, type: 'invalid_request_error', param, code } }),

  contentFilter(): SimulatedError {
    const results = { ...promptFilterCategories(), sexual: { filtered: true, severity: 'medium' } };
    return new SimulatedError(400, {
      error: {
        message: CONTENT_FILTERED,
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
        innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: results },
      },
    });
  },

  imagePolicyViolation(revisedPrompt: string): SimulatedError {
    return new SimulatedError(400, {
      error: {
        code: 'content_policy_violation',
        inner_error: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_results: {
            hate: safe,
            self_harm: safe,
            sexual: { filtered: true, severity: 'medium' },
            violence: safe,
          },
          revised_prompt: revisedPrompt,
        },
        message: IMAGE_POLICY,
        type: 'invalid_request_error',
      },
    });
  },

  /** 429 with both retry headers (SDKs prefer retry-after-ms) and exhausted remaining counters. */
  rateLimited(surface: Surface, detail: RateLimitDetail): SimulatedError {
    const seconds = Math.max(1, Math.ceil(detail.retryAfterMs / 1000));
    const headers = {
      'retry-after': String(seconds),
      'retry-after-ms': String(detail.retryAfterMs),
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-remaining-tokens': '0',
    };
    const kind = detail.reason === 'requests' ? 'call rate limit' : 'token rate limit';
    const body =
      surface === 'openai'
        ? {
            error: {
              message: `Rate limit reached for ${detail.deployment} on ${detail.reason === 'requests' ? 'requests' : 'tokens'} per min. Please try again in ${seconds}s.`,
              type: detail.reason === 'requests' ? 'requests' : 'tokens',
              param: null,
              code: 'rate_limit_exceeded',
            },
          }
        : {
            error: {
              code: '429',
              message:
                `Requests to the ${detail.operation} Operation under Azure OpenAI API version ${detail.apiVersion} ` +
                `have exceeded ${kind} of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds. ` +
                'Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.',
            },
          };
    return new SimulatedError(429, body, headers);
  },

  /** The body an injected fail_next status answers with. */
  injected(surface: Surface, status: number): SimulatedError {
    const message = status === 503 ? OVERLOADED : status === 500 ? INTERNAL : (STATUS_CODES[status] ?? 'Error');
    if (surface === 'openai') {
      const type = status >= 500 ? 'server_error' : 'invalid_request_error';
      return new SimulatedError(status, { error: { message, type, param: null, code: null } });
    }
    const code = status === 500 ? 'InternalServerError' : status === 503 ? 'ServiceUnavailable' : String(status);
    return new SimulatedError(status, { error: { code, message } });
  },

  streamError: (): { error: { code: string; message: string } } => ({ error: { code: '500', message: INTERNAL } }),
};

export interface RateLimitDetail {
  retryAfterMs: number;
  reason: 'tokens' | 'requests';
  deployment: string;
  operation: string;
  apiVersion: string;
}

/** OpenAI shows the first and last characters of a wrong key, never the whole secret. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}
