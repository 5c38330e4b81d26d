// Generated from admin-ui/openapi.json by admin-ui/scripts/openapi.mjs; do not edit. Run `npm run ui:openapi`.

export interface paths {
    "/api/v1/admin/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List events, newest first */
        get: operations["EventsController_list"];
        put?: never;
        /** Create an event */
        post: operations["EventsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an event */
        get: operations["EventsController_get"];
        put?: never;
        post?: never;
        /** Delete an event with its attendees and usage */
        delete: operations["EventsController_remove"];
        options?: never;
        head?: never;
        /** Change an event (any subset of fields) */
        patch: operations["EventsController_update"];
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/attendees": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List an event's attendees (paged) */
        get: operations["AttendeesAdminController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/attendees/{attendeeId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Activate or revoke an attendee */
        patch: operations["AttendeesAdminController_update"];
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/attendees/{attendeeId}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a new key for an attendee; the old key stops working */
        post: operations["AttendeesAdminController_rotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/deployments/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health of an event's deployments: breaker state and cooldowns
         * @description Per attached resource: the circuit breaker (closed, open, half-open), whether a 429 parked it (rateLimited) and until when the balancer skips it. The state is held in memory by each replica; this is the answering replica's view.
         */
        get: operations["DeploymentHealthController_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/organisers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List an event's co-organisers */
        get: operations["CoOrganisersController_list"];
        put?: never;
        /** Share an event with a co-organiser by email (idempotent); they see it once they sign in */
        post: operations["CoOrganisersController_add"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/organisers/{organiserId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Stop sharing an event with a co-organiser */
        delete: operations["CoOrganisersController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the deployments attached to an event */
        get: operations["EventsController_listResources"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/resources/{resourceId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Attach a deployment to an event (idempotent) */
        put: operations["EventsController_attach"];
        post?: never;
        /** Detach a deployment from an event */
        delete: operations["EventsController_detach"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/events/{eventId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage totals of an event: by day, by deployment and by attendee */
        get: operations["UsageController_report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/import/aoai": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import an Azure AI Proxy database (owners, resources, events, attendees and their keys, usage)
         * @description Reads the database with the given connection string, decrypts resource endpoints and keys with its PostgresEncryptionKey, and imports what is new or changed since the last import: running it again creates no duplicates. With dryRun nothing is written and the summary says what would be. Administrators only.
         */
        post: operations["ImportController_importAoai"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List deployments */
        get: operations["ResourcesController_list"];
        put?: never;
        /** Register a model deployment (upstream key is write-only) */
        post: operations["ResourcesController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/resources/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a deployment */
        get: operations["ResourcesController_get"];
        put?: never;
        post?: never;
        /** Delete a deployment (detaches it from every event) */
        delete: operations["ResourcesController_remove"];
        options?: never;
        head?: never;
        /** Change a deployment */
        patch: operations["ResourcesController_update"];
        trace?: never;
    };
    "/api/v1/admin/resources/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Test connection: send one tiny request through this resource
         * @description Chat: one user message "ping" with max_tokens 1; completions: prompt "ping", max_tokens 1; embeddings: input "ping"; Responses: input "ping", max_output_tokens 16; speech: "ping"; search: one hit of `*`. Images, transcription and realtime have no cheap request and answer testable: false without sending anything. An upstream refusal is a 200 with ok: false and the upstream's status and error; the upstream key and URL never appear in the answer. The outcome does not affect routing.
         */
        post: operations["ResourceTestController_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attendee/auth/{provider}/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The provider's redirect back; signs the attendee in and returns to the event page */
        get: operations["AttendeeAuthController_callback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attendee/auth/{provider}/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Start signing in with the event's identity provider (redirects to it) */
        get: operations["AttendeeAuthController_login"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attendee/auth/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Forget the attendee sign-in in this browser */
        post: operations["AttendeeAuthController_signOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attendee/event/{eventId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in attendee's registration: key prefix, whether it works, today's usage */
        get: operations["AttendeeSelfController_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attendee/event/{eventId}/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register the signed-in identity for the event
         * @description Idempotent per identity: 201 with the key the first time; 200 with api_key null (and the key prefix) after that. Any body is ignored.
         */
        post: operations["AttendeeSelfController_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attendee/event/{eventId}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the signed-in attendee's key; the old key stops working */
        post: operations["AttendeeSelfController_rotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attendee/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is signed in (the identity, for every event) */
        get: operations["AttendeeAuthController_session"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where Microsoft sends the browser back; sets the session cookie */
        get: operations["OrganiserAuthController_callback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Which sign-in methods this server offers (for the portal) */
        get: operations["OrganiserAuthController_info"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Start signing in with Microsoft Entra ID (redirects to Microsoft) */
        get: operations["OrganiserAuthController_login"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out: forget the session cookie */
        post: operations["OrganiserAuthController_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is calling, and with which role */
        get: operations["OrganiserAuthController_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Chat completions (Azure AI Inference or OpenAI-compatible; model = deployment)
         * @description Chat completions. The body's model names a deployment of your event: an azure-ai-inference deployment is forwarded to its Azure AI Inference endpoint (deployment in the azureml-model-deployment header, the extra-parameters header passed on); an Azure OpenAI deployment is forwarded as on /v1.
         */
        post: operations["InferenceProxyController_chat"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Completions (Azure AI Inference or OpenAI-compatible; model = deployment)
         * @description Text completions. The body's model names a deployment of your event: an azure-ai-inference deployment is forwarded to its Azure AI Inference endpoint (deployment in the azureml-model-deployment header, the extra-parameters header passed on); an Azure OpenAI deployment is forwarded as on /v1.
         */
        post: operations["InferenceProxyController_completions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Embeddings (Azure AI Inference or OpenAI-compatible; model = deployment)
         * @description Text embeddings. The body's model names a deployment of your event: an azure-ai-inference deployment is forwarded to its Azure AI Inference endpoint (deployment in the azureml-model-deployment header, the extra-parameters header passed on); an Azure OpenAI deployment is forwarded as on /v1.
         */
        post: operations["InferenceProxyController_embeddings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/event/{eventId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An event's registration page data in Azure AI Proxy's shape (anonymous) */
        get: operations["LegacyEventController_registration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/eventinfo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's event, its deployments and today's usage against the caps */
        get: operations["EventInfoController_get"];
        put?: never;
        /**
         * The caller's event in Azure AI Proxy's shape (body ignored)
         * @description A 401 names why the key is refused: unknown, revoked, event not started (with its start) or ended.
         */
        post: operations["LegacyEventController_eventInfo"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{eventId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public summary of an event, for its registration page (no registration code) */
        get: operations["PublicEventController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{eventId}/attendees": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register for an event and receive an API key
         * @description Registering an email already registered answers 409 and leaves its key alone (ask the organiser to rotate it). Events in a sign-in mode (github) answer 403 registration_mode_mismatch: sign in instead.
         */
        post: operations["RegistrationController_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/images/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Image embeddings (Azure AI Inference; model = deployment)
         * @description Deployments of class azure-ai-inference only.
         */
        post: operations["InferenceProxyController_imageEmbeddings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/indexes('{index}')/docs/search.post.search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Search documents, OData form /indexes('{index}')/docs/search.post.search, as SearchClient sends it (Azure AI Search)
         * @description The index is an azure-ai-search deployment of your event (deploymentName = index name); the proxy forwards the query with the service's own key. Read-only: every other route under /indexes answers 403.
         */
        post: operations["SearchProxyController_searchOData[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/indexes/{index}/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search documents with query parameters (Azure AI Search)
         * @description The index is an azure-ai-search deployment of your event (deploymentName = index name); the proxy forwards the query with the service's own key. Read-only: every other route under /indexes answers 403.
         */
        get: operations["SearchProxyController_searchGet[1]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/indexes/{index}/docs/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Search documents (Azure AI Search)
         * @description The index is an azure-ai-search deployment of your event (deploymentName = index name); the proxy forwards the query with the service's own key. Read-only: every other route under /indexes answers 403.
         */
        post: operations["SearchProxyController_search[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model info (Azure AI Inference)
         * @description Deployments of class azure-ai-inference only.
         */
        get: operations["InferenceProxyController_info"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/assistants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your assistants and the event's shared assistant */
        get: operations["AssistantsController_listAssistants"];
        put?: never;
        /** Create an assistant (model = an assistant deployment of your event) */
        post: operations["AssistantsController_createAssistant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/assistants/{assistantId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an assistant (yours, or the shared one) */
        get: operations["AssistantsController_getAssistant"];
        put?: never;
        /** Modify your assistant */
        post: operations["AssistantsController_updateAssistant"];
        /** Delete your assistant */
        delete: operations["AssistantsController_deleteAssistant"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/audio/speech": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Text to speech (Azure OpenAI) */
        post: operations["AzureProxyController_speech[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/audio/transcriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to text (Azure OpenAI) */
        post: operations["AzureProxyController_transcriptions[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/audio/translations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to English text (Azure OpenAI) */
        post: operations["AzureProxyController_translations[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Chat completions (Azure OpenAI) */
        post: operations["AzureProxyController_chat[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Completions (Azure OpenAI) */
        post: operations["AzureProxyController_completions[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Embeddings (Azure OpenAI) */
        post: operations["AzureProxyController_embeddings[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/extensions/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Chat completions on your data, legacy extensions route (Azure OpenAI)
         * @description Azure's on-your-data route of api-versions up to 2023-12-01-preview (dataSources in the body), forwarded to the chat deployment; without an api-version the proxy sends 2023-12-01-preview.
         */
        post: operations["AzureProxyController_chatExtensions[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/deployments/{deployment}/images/generations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Image generation (Azure OpenAI)
         * @description Deployments of class openai-dall-e-3 or openai-dall-e-2.
         */
        post: operations["AzureProxyController_images[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your files */
        get: operations["AssistantsController_listFiles"];
        put?: never;
        /** Upload a file (multipart: purpose and file) */
        post: operations["AssistantsController_uploadFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/files/{fileId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get your file */
        get: operations["AssistantsController_getFile"];
        put?: never;
        post?: never;
        /** Delete your file */
        delete: operations["AssistantsController_deleteFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/files/{fileId}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the content of your file */
        get: operations["AssistantsController_getFileContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Responses API (Azure dated preview; model = deployment)
         * @description Metered from usage.input_tokens / output_tokens. Deployments of class openai-responses or openai-chat.
         */
        post: operations["OpenAiProxyController_responsesDated[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a thread */
        post: operations["AssistantsController_createThread"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get your thread */
        get: operations["AssistantsController_getThread"];
        put?: never;
        /** Modify your thread */
        post: operations["AssistantsController_updateThread"];
        /** Delete your thread */
        delete: operations["AssistantsController_deleteThread"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the messages of your thread */
        get: operations["AssistantsController_listMessages"];
        put?: never;
        /** Add a message to your thread */
        post: operations["AssistantsController_createMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/messages/{messageId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a message of your thread */
        get: operations["AssistantsController_getMessage"];
        put?: never;
        /** Modify a message of your thread */
        post: operations["AssistantsController_updateMessage"];
        /** Delete a message of your thread */
        delete: operations["AssistantsController_deleteMessage"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the runs of your thread */
        get: operations["AssistantsController_listRuns"];
        put?: never;
        /**
         * Run an assistant (yours or the shared one) on your thread (stream: true for server-sent events)
         * @description Counts against the daily request cap; max_completion_tokens may not exceed the event's token cap. Metered from the run's usage once it finishes.
         */
        post: operations["AssistantsController_createRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/runs/{runId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a run of your thread (usage once completed) */
        get: operations["AssistantsController_getRun"];
        put?: never;
        /** Modify a run of your thread */
        post: operations["AssistantsController_updateRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/runs/{runId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a run of your thread */
        post: operations["AssistantsController_cancelRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/runs/{runId}/steps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the steps of a run */
        get: operations["AssistantsController_listRunSteps"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/runs/{runId}/steps/{stepId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a step of a run */
        get: operations["AssistantsController_getRunStep"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/{threadId}/runs/{runId}/submit_tool_outputs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit tool outputs to a run of your thread
         * @description Counts against the daily request cap; max_completion_tokens may not exceed the event's token cap. Metered from the run's usage once it finishes.
         */
        post: operations["AssistantsController_submitToolOutputs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/threads/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a thread and run it (stream: true for server-sent events)
         * @description Counts against the daily request cap; max_completion_tokens may not exceed the event's token cap. Metered from the run's usage once it finishes.
         */
        post: operations["AssistantsController_createThreadAndRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/v1/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Responses API (OpenAI and Azure v1; model = deployment)
         * @description Metered from usage.input_tokens / output_tokens. Deployments of class openai-responses or openai-chat.
         */
        post: operations["OpenAiProxyController_responses[3]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/vector_stores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your vector stores */
        get: operations["AssistantsController_listVectorStores"];
        put?: never;
        /** Create a vector store */
        post: operations["AssistantsController_createVectorStore"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/vector_stores/{storeId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get your vector store */
        get: operations["AssistantsController_getVectorStore"];
        put?: never;
        /** Modify your vector store */
        post: operations["AssistantsController_updateVectorStore"];
        /** Delete your vector store */
        delete: operations["AssistantsController_deleteVectorStore"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/vector_stores/{storeId}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the files of your vector store */
        get: operations["AssistantsController_listVectorStoreFiles"];
        put?: never;
        /** Add one of your files to your vector store */
        post: operations["AssistantsController_addVectorStoreFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openai/vector_stores/{storeId}/files/{vsFileId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a file of your vector store */
        get: operations["AssistantsController_getVectorStoreFile"];
        put?: never;
        post?: never;
        /** Remove a file from your vector store */
        delete: operations["AssistantsController_deleteVectorStoreFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/v1/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Responses API (OpenAI and Azure v1; model = deployment)
         * @description Metered from usage.input_tokens / output_tokens. Deployments of class openai-responses or openai-chat.
         */
        post: operations["OpenAiProxyController_responses[2]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["HealthController_alive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/indexes('{index}')/docs/search.post.search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Search documents, OData form /indexes('{index}')/docs/search.post.search, as SearchClient sends it (Azure AI Search)
         * @description The index is an azure-ai-search deployment of your event (deploymentName = index name); the proxy forwards the query with the service's own key. Read-only: every other route under /indexes answers 403.
         */
        post: operations["SearchProxyController_searchOData[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/indexes/{index}/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search documents with query parameters (Azure AI Search)
         * @description The index is an azure-ai-search deployment of your event (deploymentName = index name); the proxy forwards the query with the service's own key. Read-only: every other route under /indexes answers 403.
         */
        get: operations["SearchProxyController_searchGet[0]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/indexes/{index}/docs/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Search documents (Azure AI Search)
         * @description The index is an azure-ai-search deployment of your event (deploymentName = index name); the proxy forwards the query with the service's own key. Read-only: every other route under /indexes answers 403.
         */
        post: operations["SearchProxyController_search[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/audio/speech": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Text to speech (Azure OpenAI) */
        post: operations["AzureProxyController_speech[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/audio/transcriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to text (Azure OpenAI) */
        post: operations["AzureProxyController_transcriptions[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/audio/translations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to English text (Azure OpenAI) */
        post: operations["AzureProxyController_translations[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Chat completions (Azure OpenAI) */
        post: operations["AzureProxyController_chat[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Completions (Azure OpenAI) */
        post: operations["AzureProxyController_completions[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Embeddings (Azure OpenAI) */
        post: operations["AzureProxyController_embeddings[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/extensions/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Chat completions on your data, legacy extensions route (Azure OpenAI)
         * @description Azure's on-your-data route of api-versions up to 2023-12-01-preview (dataSources in the body), forwarded to the chat deployment; without an api-version the proxy sends 2023-12-01-preview.
         */
        post: operations["AzureProxyController_chatExtensions[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/deployments/{deployment}/images/generations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Image generation (Azure OpenAI)
         * @description Deployments of class openai-dall-e-3 or openai-dall-e-2.
         */
        post: operations["AzureProxyController_images[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/realtime": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Realtime session (WebSocket upgrade)
         * @description A **WebSocket** endpoint on the same port as the HTTP API; the upgrade is handled before any HTTP route,
         *     so a plain GET only answers 426. Connect with a WebSocket client (e.g. the openai SDK's `OpenAIRealtimeWS`):
         *
         *     | URL | Upstream protocol |
         *     |---|---|
         *     | `/openai/v1/realtime?model={deployment}` | Azure GA / OpenAI GA events |
         *     | `/openai/realtime?api-version={version}&deployment={deployment}` | Azure preview (beta events) |
         *     | `/v1/realtime?model={deployment}` | OpenAI (GA, or beta with `OpenAI-Beta: realtime=v1`) |
         *
         *     The same paths work under `/api/v1`. The attendee key goes in `api-key`, `Authorization: Bearer`, `?api-key=` / `?key=`,
         *     or the browser subprotocol `openai-insecure-api-key.{key}`; the `realtime` subprotocol is echoed. The deployment must be
         *     attached to the event with class `openai-realtime`.
         *
         *     Refusals happen **before** the upgrade, as HTTP answers in the OpenAI error shape: 401 (key, event window, revoked),
         *     404 (unknown deployment), 400 (not a realtime deployment, no deployment named), 429 (the event's `maxRealtimeSessions`
         *     per attendee, or the daily request cap: a session counts as one request), 502/503/504 (no backend could be opened).
         *
         *     Frames are relayed verbatim in both directions. Tokens are metered from every `response.done` (one usage record each).
         *     When the event ends or is deactivated, the key is revoked, or the session reaches the event's `maxRealtimeSessionSeconds`,
         *     the client receives `{"type":"error","error":{"type":"invalid_request_error","code":"event_ended"|"event_inactive"|"key_revoked"|"session_expired","message":…}}`
         *     and the socket closes with code 1008 and the code as reason. Upstream close codes are passed on.
         */
        get: operations["RealtimeController_upgrade[1]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Responses API (Azure dated preview; model = deployment)
         * @description Metered from usage.input_tokens / output_tokens. Deployments of class openai-responses or openai-chat.
         */
        post: operations["OpenAiProxyController_responsesDated[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/audio/speech": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Text to speech (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_speech[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/audio/transcriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to text (OpenAI-compatible; model field = deployment) */
        post: operations["OpenAiProxyController_transcriptions[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/audio/translations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to English text (OpenAI-compatible; model field = deployment) */
        post: operations["OpenAiProxyController_translations[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Chat completions (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_chat[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Completions (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_completions[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Embeddings (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_embeddings[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/images/generations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Image generation (OpenAI-compatible; model = deployment)
         * @description Deployments of class openai-dall-e-3 or openai-dall-e-2.
         */
        post: operations["OpenAiProxyController_images[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deployments of your event, as OpenAI models */
        get: operations["OpenAiProxyController_listModels[1]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One deployment of your event, as an OpenAI model */
        get: operations["OpenAiProxyController_getModel[1]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/realtime": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Realtime session (WebSocket upgrade)
         * @description A **WebSocket** endpoint on the same port as the HTTP API; the upgrade is handled before any HTTP route,
         *     so a plain GET only answers 426. Connect with a WebSocket client (e.g. the openai SDK's `OpenAIRealtimeWS`):
         *
         *     | URL | Upstream protocol |
         *     |---|---|
         *     | `/openai/v1/realtime?model={deployment}` | Azure GA / OpenAI GA events |
         *     | `/openai/realtime?api-version={version}&deployment={deployment}` | Azure preview (beta events) |
         *     | `/v1/realtime?model={deployment}` | OpenAI (GA, or beta with `OpenAI-Beta: realtime=v1`) |
         *
         *     The same paths work under `/api/v1`. The attendee key goes in `api-key`, `Authorization: Bearer`, `?api-key=` / `?key=`,
         *     or the browser subprotocol `openai-insecure-api-key.{key}`; the `realtime` subprotocol is echoed. The deployment must be
         *     attached to the event with class `openai-realtime`.
         *
         *     Refusals happen **before** the upgrade, as HTTP answers in the OpenAI error shape: 401 (key, event window, revoked),
         *     404 (unknown deployment), 400 (not a realtime deployment, no deployment named), 429 (the event's `maxRealtimeSessions`
         *     per attendee, or the daily request cap: a session counts as one request), 502/503/504 (no backend could be opened).
         *
         *     Frames are relayed verbatim in both directions. Tokens are metered from every `response.done` (one usage record each).
         *     When the event ends or is deactivated, the key is revoked, or the session reaches the event's `maxRealtimeSessionSeconds`,
         *     the client receives `{"type":"error","error":{"type":"invalid_request_error","code":"event_ended"|"event_inactive"|"key_revoked"|"session_expired","message":…}}`
         *     and the socket closes with code 1008 and the code as reason. Upstream close codes are passed on.
         */
        get: operations["RealtimeController_upgrade[0]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openai/v1/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Responses API (OpenAI and Azure v1; model = deployment)
         * @description Metered from usage.input_tokens / output_tokens. Deployments of class openai-responses or openai-chat.
         */
        post: operations["OpenAiProxyController_responses[1]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: database reachable and migrations applied */
        get: operations["HealthController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audio/speech": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Text to speech (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_speech[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audio/transcriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to text (OpenAI-compatible; model field = deployment) */
        post: operations["OpenAiProxyController_transcriptions[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audio/translations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Speech to English text (OpenAI-compatible; model field = deployment) */
        post: operations["OpenAiProxyController_translations[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Chat completions (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_chat[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Completions (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_completions[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Embeddings (OpenAI-compatible; model = deployment) */
        post: operations["OpenAiProxyController_embeddings[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/images/generations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Image generation (OpenAI-compatible; model = deployment)
         * @description Deployments of class openai-dall-e-3 or openai-dall-e-2.
         */
        post: operations["OpenAiProxyController_images[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deployments of your event, as OpenAI models */
        get: operations["OpenAiProxyController_listModels[0]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One deployment of your event, as an OpenAI model */
        get: operations["OpenAiProxyController_getModel[0]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/realtime": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Realtime session (WebSocket upgrade)
         * @description A **WebSocket** endpoint on the same port as the HTTP API; the upgrade is handled before any HTTP route,
         *     so a plain GET only answers 426. Connect with a WebSocket client (e.g. the openai SDK's `OpenAIRealtimeWS`):
         *
         *     | URL | Upstream protocol |
         *     |---|---|
         *     | `/openai/v1/realtime?model={deployment}` | Azure GA / OpenAI GA events |
         *     | `/openai/realtime?api-version={version}&deployment={deployment}` | Azure preview (beta events) |
         *     | `/v1/realtime?model={deployment}` | OpenAI (GA, or beta with `OpenAI-Beta: realtime=v1`) |
         *
         *     The same paths work under `/api/v1`. The attendee key goes in `api-key`, `Authorization: Bearer`, `?api-key=` / `?key=`,
         *     or the browser subprotocol `openai-insecure-api-key.{key}`; the `realtime` subprotocol is echoed. The deployment must be
         *     attached to the event with class `openai-realtime`.
         *
         *     Refusals happen **before** the upgrade, as HTTP answers in the OpenAI error shape: 401 (key, event window, revoked),
         *     404 (unknown deployment), 400 (not a realtime deployment, no deployment named), 429 (the event's `maxRealtimeSessions`
         *     per attendee, or the daily request cap: a session counts as one request), 502/503/504 (no backend could be opened).
         *
         *     Frames are relayed verbatim in both directions. Tokens are metered from every `response.done` (one usage record each).
         *     When the event ends or is deactivated, the key is revoked, or the session reaches the event's `maxRealtimeSessionSeconds`,
         *     the client receives `{"type":"error","error":{"type":"invalid_request_error","code":"event_ended"|"event_inactive"|"key_revoked"|"session_expired","message":…}}`
         *     and the socket closes with code 1008 and the code as reason. Upstream close codes are passed on.
         */
        get: operations["RealtimeController_upgrade[2]"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Responses API (OpenAI and Azure v1; model = deployment)
         * @description Metered from usage.input_tokens / output_tokens. Deployments of class openai-responses or openai-chat.
         */
        post: operations["OpenAiProxyController_responses[0]"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    EventsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            active: boolean;
                            attendeeTokensPerDay: number | null;
                            attendeeTokensPerMinute: number | null;
                            createdAt: string;
                            dailyRequestCap: number;
                            description: string;
                            endsAt: string;
                            eventTokensPerDay: number | null;
                            eventTokensPerMinute: number | null;
                            eventUrl: string | null;
                            id: string;
                            imageUrl: string | null;
                            maxRealtimeSessions: number;
                            maxRealtimeSessionSeconds: number;
                            maxTokenCap: number;
                            modelAliases: {
                                [key: string]: string;
                            };
                            name: string;
                            organizerEmail: string;
                            organizerName: string;
                            registration: {
                                code?: string;
                                /** @enum {string} */
                                mode: "open" | "code" | "github";
                            };
                            /** @description Path attendees register at (POST) */
                            registrationUrl: string;
                            /** @description UTC ISO 8601 */
                            startsAt: string;
                            /** @enum {string} */
                            status: "upcoming" | "live" | "ended";
                            timeZone: string;
                            updatedAt: string;
                        }[];
                        total: number;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default true */
                    active?: boolean;
                    /** @description Tokens one attendee may use per day (midnight in timeZone); null is unlimited */
                    attendeeTokensPerDay?: number | null;
                    /** @description Tokens one attendee may use per minute (prompt + completion); null is unlimited */
                    attendeeTokensPerMinute?: number | null;
                    /**
                     * @description Requests per attendee per day (midnight in timeZone)
                     * @default 1000
                     */
                    dailyRequestCap?: number;
                    /** @default  */
                    description?: string;
                    /**
                     * Format: date-time
                     * @description ISO 8601 date-time with offset, e.g. 2026-03-01T09:00:00+01:00; stored as UTC
                     */
                    endsAt: string;
                    /** @description Tokens all attendees together may use per day; null is unlimited */
                    eventTokensPerDay?: number | null;
                    /** @description Tokens all attendees together may use per minute; null is unlimited */
                    eventTokensPerMinute?: number | null;
                    /** Format: uri */
                    eventUrl?: string | null;
                    /** @description URL-safe slug; generated from the name when absent */
                    id?: string;
                    /**
                     * Format: uri
                     * @description Logo or banner for the registration page
                     */
                    imageUrl?: string | null;
                    /**
                     * @description Realtime WebSocket sessions one attendee may hold open at once
                     * @default 2
                     */
                    maxRealtimeSessions?: number;
                    /**
                     * @description Longest a realtime session may run before the proxy closes it
                     * @default 1800
                     */
                    maxRealtimeSessionSeconds?: number;
                    /**
                     * @description Largest max_tokens one request may ask for
                     * @default 4096
                     */
                    maxTokenCap?: number;
                    /**
                     * @description OpenAI model names mapped to this event's deployment names, e.g. {"gpt-4o": "gpt-4o-eu"}
                     * @default {}
                     */
                    modelAliases?: {
                        [key: string]: string;
                    };
                    name: string;
                    /** @default  */
                    organizerEmail?: string | "";
                    /** @default  */
                    organizerName?: string;
                    /**
                     * @default {
                     *       "mode": "open"
                     *     }
                     */
                    registration?: {
                        code?: string;
                        /**
                         * @description open: anyone with the link; code: a shared code; github: GitHub sign-in
                         * @enum {string}
                         */
                        mode: "open" | "code" | "github";
                    };
                    /**
                     * Format: date-time
                     * @description ISO 8601 date-time with offset, e.g. 2026-03-01T09:00:00+01:00; stored as UTC
                     */
                    startsAt: string;
                    /** @default UTC */
                    timeZone?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        attendeeTokensPerDay: number | null;
                        attendeeTokensPerMinute: number | null;
                        createdAt: string;
                        dailyRequestCap: number;
                        description: string;
                        endsAt: string;
                        eventTokensPerDay: number | null;
                        eventTokensPerMinute: number | null;
                        eventUrl: string | null;
                        id: string;
                        imageUrl: string | null;
                        maxRealtimeSessions: number;
                        maxRealtimeSessionSeconds: number;
                        maxTokenCap: number;
                        modelAliases: {
                            [key: string]: string;
                        };
                        name: string;
                        organizerEmail: string;
                        organizerName: string;
                        registration: {
                            code?: string;
                            /** @enum {string} */
                            mode: "open" | "code" | "github";
                        };
                        /** @description Path attendees register at (POST) */
                        registrationUrl: string;
                        /** @description UTC ISO 8601 */
                        startsAt: string;
                        /** @enum {string} */
                        status: "upcoming" | "live" | "ended";
                        timeZone: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Already exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        attendeeTokensPerDay: number | null;
                        attendeeTokensPerMinute: number | null;
                        createdAt: string;
                        dailyRequestCap: number;
                        description: string;
                        endsAt: string;
                        eventTokensPerDay: number | null;
                        eventTokensPerMinute: number | null;
                        eventUrl: string | null;
                        id: string;
                        imageUrl: string | null;
                        maxRealtimeSessions: number;
                        maxRealtimeSessionSeconds: number;
                        maxTokenCap: number;
                        modelAliases: {
                            [key: string]: string;
                        };
                        name: string;
                        organizerEmail: string;
                        organizerName: string;
                        registration: {
                            code?: string;
                            /** @enum {string} */
                            mode: "open" | "code" | "github";
                        };
                        /** @description Path attendees register at (POST) */
                        registrationUrl: string;
                        /** @description UTC ISO 8601 */
                        startsAt: string;
                        /** @enum {string} */
                        status: "upcoming" | "live" | "ended";
                        timeZone: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventsController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventsController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    active?: boolean;
                    /** @description Tokens one attendee may use per day (midnight in timeZone); null is unlimited */
                    attendeeTokensPerDay?: number | null;
                    /** @description Tokens one attendee may use per minute (prompt + completion); null is unlimited */
                    attendeeTokensPerMinute?: number | null;
                    /** @description Requests per attendee per day (midnight in timeZone) */
                    dailyRequestCap?: number;
                    description?: string;
                    /**
                     * Format: date-time
                     * @description ISO 8601 date-time with offset, e.g. 2026-03-01T09:00:00+01:00; stored as UTC
                     */
                    endsAt?: string;
                    /** @description Tokens all attendees together may use per day; null is unlimited */
                    eventTokensPerDay?: number | null;
                    /** @description Tokens all attendees together may use per minute; null is unlimited */
                    eventTokensPerMinute?: number | null;
                    /** Format: uri */
                    eventUrl?: string | null;
                    /**
                     * Format: uri
                     * @description Logo or banner for the registration page
                     */
                    imageUrl?: string | null;
                    /** @description Realtime WebSocket sessions one attendee may hold open at once */
                    maxRealtimeSessions?: number;
                    /** @description Longest a realtime session may run before the proxy closes it */
                    maxRealtimeSessionSeconds?: number;
                    /** @description Largest max_tokens one request may ask for */
                    maxTokenCap?: number;
                    /** @description OpenAI model names mapped to this event's deployment names, e.g. {"gpt-4o": "gpt-4o-eu"} */
                    modelAliases?: {
                        [key: string]: string;
                    };
                    name?: string;
                    organizerEmail?: string | "";
                    organizerName?: string;
                    registration?: {
                        code?: string;
                        /**
                         * @description open: anyone with the link; code: a shared code; github: GitHub sign-in
                         * @enum {string}
                         */
                        mode: "open" | "code" | "github";
                    };
                    /**
                     * Format: date-time
                     * @description ISO 8601 date-time with offset, e.g. 2026-03-01T09:00:00+01:00; stored as UTC
                     */
                    startsAt?: string;
                    timeZone?: string;
                };
            };
        };
        responses: {
            /** @description The updated event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        attendeeTokensPerDay: number | null;
                        attendeeTokensPerMinute: number | null;
                        createdAt: string;
                        dailyRequestCap: number;
                        description: string;
                        endsAt: string;
                        eventTokensPerDay: number | null;
                        eventTokensPerMinute: number | null;
                        eventUrl: string | null;
                        id: string;
                        imageUrl: string | null;
                        maxRealtimeSessions: number;
                        maxRealtimeSessionSeconds: number;
                        maxTokenCap: number;
                        modelAliases: {
                            [key: string]: string;
                        };
                        name: string;
                        organizerEmail: string;
                        organizerName: string;
                        registration: {
                            code?: string;
                            /** @enum {string} */
                            mode: "open" | "code" | "github";
                        };
                        /** @description Path attendees register at (POST) */
                        registrationUrl: string;
                        /** @description UTC ISO 8601 */
                        startsAt: string;
                        /** @enum {string} */
                        status: "upcoming" | "live" | "ended";
                        timeZone: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeesAdminController_list: {
        parameters: {
            query?: {
                page?: number;
                pageSize?: number;
                search?: string;
            };
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of attendees */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            active: boolean;
                            createdAt: string;
                            email: string;
                            eventId: string;
                            id: string;
                            /** @description Who signed in to register (events in github mode), as of their last sign-in; null for form registrations */
                            identity: {
                                login: string;
                                provider: string;
                            } | null;
                            keyPrefix: string;
                            keyRotatedAt: string;
                            name: string;
                            updatedAt: string;
                        }[];
                        page: number;
                        pageSize: number;
                        total: number;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeesAdminController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                attendeeId: string;
                eventId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    active: boolean;
                };
            };
        };
        responses: {
            /** @description The updated attendee */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        createdAt: string;
                        email: string;
                        eventId: string;
                        id: string;
                        /** @description Who signed in to register (events in github mode), as of their last sign-in; null for form registrations */
                        identity: {
                            login: string;
                            provider: string;
                        } | null;
                        keyPrefix: string;
                        keyRotatedAt: string;
                        name: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeesAdminController_rotate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                attendeeId: string;
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new key, shown once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        apiKey: string;
                        attendeeId: string;
                        keyPrefix: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    DeploymentHealthController_health: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Health of each attached resource */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description UTC ISO 8601; the state is this replica's view */
                        checkedAt: string;
                        eventId: string;
                        items: {
                            active: boolean;
                            /**
                             * @description closed: in use; open: resting after repeated failures; half-open: the next request is a trial
                             * @enum {string}
                             */
                            breaker: "closed" | "open" | "half-open";
                            deploymentName: string;
                            name: string;
                            priority: number;
                            /** @description Parked by a 429's retry-after (full, not failing) */
                            rateLimited: boolean;
                            resourceId: string;
                            /** @description UTC ISO 8601 until which the balancer skips it (a 429 cooldown or an open breaker); null when available */
                            unavailableUntil: string | null;
                            weight: number;
                        }[];
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    CoOrganisersController_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Co-organisers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        email: string;
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @description False until the person has signed in once */
                        signedIn: boolean;
                    }[];
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    CoOrganisersController_add: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email: string;
                };
            };
        };
        responses: {
            /** @description The co-organiser */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        email: string;
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @description False until the person has signed in once */
                        signedIn: boolean;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    CoOrganisersController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
                organiserId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventsController_listResources: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Attached resources */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        /** @description "…" followed by the last 4 characters of the key */
                        apiKeyHint: string | null;
                        apiVersion: string | null;
                        createdAt: string;
                        deploymentName: string;
                        /** @description Empty for the built-in simulator */
                        endpointUrl: string;
                        hasApiKey: boolean;
                        id: string;
                        /** @enum {string} */
                        modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                        modelName: string | null;
                        name: string;
                        priority: number;
                        requestsPerMinute: number | null;
                        tokensPerMinute: number | null;
                        updatedAt: string;
                        /** @enum {string} */
                        upstream: "azure" | "openai" | "simulator";
                        weight: number;
                    }[];
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventsController_attach: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
                resourceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The attached resource */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        /** @description "…" followed by the last 4 characters of the key */
                        apiKeyHint: string | null;
                        apiVersion: string | null;
                        createdAt: string;
                        deploymentName: string;
                        /** @description Empty for the built-in simulator */
                        endpointUrl: string;
                        hasApiKey: boolean;
                        id: string;
                        /** @enum {string} */
                        modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                        modelName: string | null;
                        name: string;
                        priority: number;
                        requestsPerMinute: number | null;
                        tokensPerMinute: number | null;
                        updatedAt: string;
                        /** @enum {string} */
                        upstream: "azure" | "openai" | "simulator";
                        weight: number;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventsController_detach: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
                resourceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    UsageController_report: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
            };
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Usage report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        byAttendee: {
                            attendeeId: string | null;
                            completionTokens: number;
                            email: string | null;
                            /** @description Requests that failed: status >= 400, including streams that broke after they began (recorded as 502) */
                            errors: number;
                            /** @description Requests whose tokens were estimated (stream broke, no usage reported) */
                            estimatedRequests: number;
                            name: string | null;
                            promptTokens: number;
                            /** @description Requests answered 429 (every backend rate limited, or the daily cap reached); also counted in errors */
                            rateLimited: number;
                            requests: number;
                            totalTokens: number;
                        }[];
                        byDay: {
                            completionTokens: number;
                            day: string;
                            /** @description Requests that failed: status >= 400, including streams that broke after they began (recorded as 502) */
                            errors: number;
                            /** @description Requests whose tokens were estimated (stream broke, no usage reported) */
                            estimatedRequests: number;
                            promptTokens: number;
                            /** @description Requests answered 429 (every backend rate limited, or the daily cap reached); also counted in errors */
                            rateLimited: number;
                            requests: number;
                            totalTokens: number;
                        }[];
                        byDeployment: {
                            completionTokens: number;
                            deployment: string;
                            /** @description Requests that failed: status >= 400, including streams that broke after they began (recorded as 502) */
                            errors: number;
                            /** @description Requests whose tokens were estimated (stream broke, no usage reported) */
                            estimatedRequests: number;
                            promptTokens: number;
                            /** @description Requests answered 429 (every backend rate limited, or the daily cap reached); also counted in errors */
                            rateLimited: number;
                            requests: number;
                            totalTokens: number;
                        }[];
                        /** @description Hours with requests, oldest first; hours are UTC (label them in the event time zone) */
                        byHour: {
                            completionTokens: number;
                            /** @description Requests that failed: status >= 400, including streams that broke after they began (recorded as 502) */
                            errors: number;
                            /** @description Requests whose tokens were estimated (stream broke, no usage reported) */
                            estimatedRequests: number;
                            /** @description Start of the hour in UTC, ISO 8601 (e.g. 2026-03-01T09:00:00Z) */
                            hour: string;
                            promptTokens: number;
                            /** @description Requests answered 429 (every backend rate limited, or the daily cap reached); also counted in errors */
                            rateLimited: number;
                            requests: number;
                            totalTokens: number;
                        }[];
                        eventId: string;
                        from: string | null;
                        /** @description Use over time per deployment and per attendee (hours are UTC; label them in the event time zone) */
                        series: {
                            /** @description Requests and tokens per hour for the top 10 attendees by tokens in the range; only hours with requests, oldest first */
                            byHourAttendee: {
                                attendeeId: string;
                                /** @description Start of the hour in UTC, ISO 8601 */
                                hour: string;
                                name: string | null;
                                requests: number;
                                totalTokens: number;
                            }[];
                            /** @description Requests and tokens per hour and deployment; only hours and deployments with requests, oldest hour first */
                            byHourDeployment: {
                                deployment: string;
                                /** @description Start of the hour in UTC, ISO 8601 */
                                hour: string;
                                requests: number;
                                totalTokens: number;
                            }[];
                        };
                        to: string | null;
                        /** @description Today's use against the daily request cap per attendee (whatever from/to say); attendees with no use today are left out */
                        today: {
                            byAttendee: {
                                attendeeId: string;
                                email: string;
                                name: string;
                                remainingRequests: number;
                                /** @description Requests counted against the daily cap today */
                                requests: number;
                                tokens: number;
                            }[];
                            dailyRequestCap: number;
                            /** @description Calendar day in the event time zone */
                            day: string;
                            /** @description Next midnight in the event time zone (UTC ISO 8601) */
                            resetsAt: string;
                            timeZone: string;
                        };
                        totals: {
                            completionTokens: number;
                            /** @description Requests that failed: status >= 400, including streams that broke after they began (recorded as 502) */
                            errors: number;
                            /** @description Requests whose tokens were estimated (stream broke, no usage reported) */
                            estimatedRequests: number;
                            promptTokens: number;
                            /** @description Requests answered 429 (every backend rate limited, or the daily cap reached); also counted in errors */
                            rateLimited: number;
                            requests: number;
                            totalTokens: number;
                        };
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    ImportController_importAoai: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The Azure AI Proxy database, e.g. postgres://user:password@host:5432/aoai-proxy?sslmode=require */
                    connectionString: string;
                    /**
                     * @description Report what would be imported and write nothing
                     * @default false
                     */
                    dryRun?: boolean;
                    /** @description Its PostgresEncryptionKey, which decrypts resource endpoints and keys */
                    encryptionKey: string;
                };
            };
        };
        responses: {
            /** @description What was (or, for a dry run, would be) imported */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Assistants, threads and files attendees created through the original: they stay theirs */
                        assistantObjects: {
                            created: number;
                            /** @description Not importable; `warnings` says why */
                            skipped: number;
                            /** @description Imported before and unchanged in the source */
                            unchanged: number;
                            /** @description Imported before; the source row changed since, so it was updated here */
                            updated: number;
                        };
                        attendees: {
                            created: number;
                            /** @description Not importable; `warnings` says why */
                            skipped: number;
                            /** @description Imported before and unchanged in the source */
                            unchanged: number;
                            /** @description Imported before; the source row changed since, so it was updated here */
                            updated: number;
                        };
                        /** @description Owners who share an event they did not create (owner_event_map with creator false) */
                        coOrganisers: {
                            created: number;
                            /** @description Not importable; `warnings` says why */
                            skipped: number;
                            /** @description Imported before and unchanged in the source */
                            unchanged: number;
                            /** @description Imported before; the source row changed since, so it was updated here */
                            updated: number;
                        };
                        dryRun: boolean;
                        eventDetails: {
                            endsAt: string;
                            /** @description The event id here: the source id unless another event already had it */
                            id: string;
                            name: string;
                            sourceId: string;
                            startsAt: string;
                            /** @enum {string} */
                            status: "created" | "updated" | "unchanged";
                            timeZone: string;
                            /**
                             * @description label: the source's time-zone label named a zone (DST-aware); offset: only its fixed offset was usable
                             * @enum {string}
                             */
                            timeZoneBasis: "label" | "offset";
                        }[];
                        /** @description Links between events and resources */
                        eventResources: {
                            created: number;
                            /** @description Not importable; `warnings` says why */
                            skipped: number;
                            /** @description Imported before and unchanged in the source */
                            unchanged: number;
                            /** @description Imported before; the source row changed since, so it was updated here */
                            updated: number;
                        };
                        events: {
                            created: number;
                            /** @description Not importable; `warnings` says why */
                            skipped: number;
                            /** @description Imported before and unchanged in the source */
                            unchanged: number;
                            /** @description Imported before; the source row changed since, so it was updated here */
                            updated: number;
                        };
                        organisers: {
                            created: number;
                            /** @description Not importable; `warnings` says why */
                            skipped: number;
                            /** @description Imported before and unchanged in the source */
                            unchanged: number;
                            /** @description Imported before; the source row changed since, so it was updated here */
                            updated: number;
                        };
                        resources: {
                            created: number;
                            /** @description Not importable; `warnings` says why */
                            skipped: number;
                            /** @description Imported before and unchanged in the source */
                            unchanged: number;
                            /** @description Imported before; the source row changed since, so it was updated here */
                            updated: number;
                        };
                        source: {
                            attendees: number;
                            events: number;
                            /** @description Rows of aoai.metric (one per proxied request) */
                            metrics: number;
                            owners: number;
                            resources: number;
                        };
                        usage: {
                            /** @description Usage records written (metric rows) */
                            imported: number;
                            /** @description Records of an earlier import removed because their day changed in the source */
                            replaced: number;
                            /** @description Metric rows of events that were not imported */
                            skipped: number;
                            unchanged: number;
                        };
                        warnings: string[];
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Already exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not an Azure AI Proxy database, or the key decrypts nothing */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description The source database could not be reached */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    ResourcesController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Resources */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            active: boolean;
                            /** @description "…" followed by the last 4 characters of the key */
                            apiKeyHint: string | null;
                            apiVersion: string | null;
                            createdAt: string;
                            deploymentName: string;
                            /** @description Empty for the built-in simulator */
                            endpointUrl: string;
                            hasApiKey: boolean;
                            id: string;
                            /** @enum {string} */
                            modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                            modelName: string | null;
                            name: string;
                            priority: number;
                            requestsPerMinute: number | null;
                            tokensPerMinute: number | null;
                            updatedAt: string;
                            /** @enum {string} */
                            upstream: "azure" | "openai" | "simulator";
                            weight: number;
                        }[];
                        total: number;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    ResourcesController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default true */
                    active?: boolean;
                    /** @description Write-only; never returned (only its last 4 characters) */
                    apiKey?: string;
                    /** @description Azure api-version default */
                    apiVersion?: string;
                    /** @description The name clients ask for (Azure deployment / OpenAI model) */
                    deploymentName: string;
                    /**
                     * Format: uri
                     * @description e.g. https://my-resource.openai.azure.com; for azure-ai-inference the model endpoint, e.g. https://my-model.eastus2.models.ai.azure.com or https://my-resource.services.ai.azure.com/models; optional for the built-in simulator
                     */
                    endpointUrl?: string;
                    /** @enum {string} */
                    modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                    /** @description Model name sent to OpenAI-compatible upstreams */
                    modelName?: string;
                    name: string;
                    /**
                     * @description Lower is preferred; higher tiers are failover
                     * @default 0
                     */
                    priority?: number;
                    requestsPerMinute?: number | null;
                    tokensPerMinute?: number | null;
                    /**
                     * @description azure, openai (any OpenAI-compatible server) or simulator
                     * @enum {string}
                     */
                    upstream: "azure" | "openai" | "simulator";
                    /**
                     * @description Round-robin weight within a priority tier
                     * @default 1
                     */
                    weight?: number;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        /** @description "…" followed by the last 4 characters of the key */
                        apiKeyHint: string | null;
                        apiVersion: string | null;
                        createdAt: string;
                        deploymentName: string;
                        /** @description Empty for the built-in simulator */
                        endpointUrl: string;
                        hasApiKey: boolean;
                        id: string;
                        /** @enum {string} */
                        modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                        modelName: string | null;
                        name: string;
                        priority: number;
                        requestsPerMinute: number | null;
                        tokensPerMinute: number | null;
                        updatedAt: string;
                        /** @enum {string} */
                        upstream: "azure" | "openai" | "simulator";
                        weight: number;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    ResourcesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The resource */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        /** @description "…" followed by the last 4 characters of the key */
                        apiKeyHint: string | null;
                        apiVersion: string | null;
                        createdAt: string;
                        deploymentName: string;
                        /** @description Empty for the built-in simulator */
                        endpointUrl: string;
                        hasApiKey: boolean;
                        id: string;
                        /** @enum {string} */
                        modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                        modelName: string | null;
                        name: string;
                        priority: number;
                        requestsPerMinute: number | null;
                        tokensPerMinute: number | null;
                        updatedAt: string;
                        /** @enum {string} */
                        upstream: "azure" | "openai" | "simulator";
                        weight: number;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    ResourcesController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    ResourcesController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    active?: boolean;
                    /** @description A new key; null removes it */
                    apiKey?: string | null;
                    /** @description Azure api-version default */
                    apiVersion?: string | null;
                    /** @description The name clients ask for (Azure deployment / OpenAI model) */
                    deploymentName?: string;
                    /**
                     * Format: uri
                     * @description e.g. https://my-resource.openai.azure.com; for azure-ai-inference the model endpoint, e.g. https://my-model.eastus2.models.ai.azure.com or https://my-resource.services.ai.azure.com/models; optional for the built-in simulator
                     */
                    endpointUrl?: string;
                    /** @enum {string} */
                    modelClass?: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                    /** @description Model name sent to OpenAI-compatible upstreams */
                    modelName?: string | null;
                    name?: string;
                    /** @description Lower is preferred; higher tiers are failover */
                    priority?: number;
                    requestsPerMinute?: number | null;
                    tokensPerMinute?: number | null;
                    /**
                     * @description azure, openai (any OpenAI-compatible server) or simulator
                     * @enum {string}
                     */
                    upstream?: "azure" | "openai" | "simulator";
                    /** @description Round-robin weight within a priority tier */
                    weight?: number;
                };
            };
        };
        responses: {
            /** @description The updated resource */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        /** @description "…" followed by the last 4 characters of the key */
                        apiKeyHint: string | null;
                        apiVersion: string | null;
                        createdAt: string;
                        deploymentName: string;
                        /** @description Empty for the built-in simulator */
                        endpointUrl: string;
                        hasApiKey: boolean;
                        id: string;
                        /** @enum {string} */
                        modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                        modelName: string | null;
                        name: string;
                        priority: number;
                        requestsPerMinute: number | null;
                        tokensPerMinute: number | null;
                        updatedAt: string;
                        /** @enum {string} */
                        upstream: "azure" | "openai" | "simulator";
                        weight: number;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    ResourceTestController_test: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The outcome of the test request */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error?: {
                            /** @description The upstream's error code (e.g. 401, invalid_api_key, DeploymentNotFound), or ours: not_testable, no_endpoint, timeout, connection_failed */
                            code: string;
                            /** @description The upstream's message with its key and address removed, or a sentence of ours */
                            message: string;
                        };
                        /** @description From sending the request to the end of the answer */
                        latencyMs: number | null;
                        /** @description The upstream answered the test request with a 2xx */
                        ok: boolean;
                        /** @description What was sent, e.g. "chat/completions" (one user message "ping", max_tokens 1) */
                        operation: string | null;
                        resourceId: string;
                        /** @description The upstream's HTTP status; null when nothing was sent or no answer came */
                        status: number | null;
                        /** @description False for model classes with no cheap test request (images, transcription, realtime): nothing was sent */
                        testable: boolean;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeeAuthController_callback: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the portal page of the event (with ?signInError=… when it failed) */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Too many attempts; retry-after says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeeAuthController_login: {
        parameters: {
            query: {
                event: string;
            };
            header?: never;
            path: {
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the provider (or back to the event page with ?signInError=unavailable when it is not configured) */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Too many attempts; retry-after says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeeAuthController_signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AttendeeSelfController_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The registration */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description False when the organiser revoked the key */
                        active: boolean;
                        /**
                         * @description Always null: only a hash of the key is stored. Rotate to get a new key
                         * @enum {string|null}
                         */
                        api_key: null;
                        attendee_id: string;
                        email: string;
                        endpoints: {
                            /** @description Endpoint for AzureOpenAI SDK clients */
                            azure_openai: string;
                            /** @description baseURL for OpenAI SDK clients */
                            openai: string;
                        };
                        event_id: string;
                        identity: {
                            login: string;
                            provider: string;
                        };
                        key_prefix: string;
                        key_rotated_at: string;
                        name: string;
                        usage: {
                            daily_request_cap: number;
                            /** @description Calendar day in the event time zone */
                            day: string;
                            /** @description Largest max_tokens one request may ask for */
                            max_token_cap: number;
                            remaining_requests: number;
                            requests: number;
                            /** @description Next midnight in the event time zone (UTC ISO 8601) */
                            resets_at: string;
                            tokens: number;
                        };
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeeSelfController_register: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Already registered: the same attendee, key not shown */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        /** @description The new key (201), shown once. null (200) when this identity is already registered: only a hash is kept, so rotate to get a new one */
                        api_key: string | null;
                        attendee_id: string;
                        endpoints: {
                            /** @description Endpoint for AzureOpenAI SDK clients */
                            azure_openai: string;
                            /** @description baseURL for OpenAI SDK clients */
                            openai: string;
                        };
                        event_id: string;
                        /** @description The start of the key, to recognise it */
                        key_prefix: string;
                        /** @description Present when already registered */
                        message?: string;
                    };
                };
            };
            /** @description Registered; the key is shown once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        /** @description The new key (201), shown once. null (200) when this identity is already registered: only a hash is kept, so rotate to get a new one */
                        api_key: string | null;
                        attendee_id: string;
                        endpoints: {
                            /** @description Endpoint for AzureOpenAI SDK clients */
                            azure_openai: string;
                            /** @description baseURL for OpenAI SDK clients */
                            openai: string;
                        };
                        event_id: string;
                        /** @description The start of the key, to recognise it */
                        key_prefix: string;
                        /** @description Present when already registered */
                        message?: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Too many attempts; retry-after says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeeSelfController_rotate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new key, shown once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The new key, shown once; the previous key stops working */
                        api_key: string;
                        attendee_id: string;
                        key_prefix: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Too many attempts; retry-after says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    AttendeeAuthController_session: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The signed-in identity */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The provider's verified primary email */
                        email: string;
                        login: string;
                        name: string;
                        /** @description The identity provider, e.g. github */
                        provider: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    OrganiserAuthController_callback: {
        parameters: {
            query?: {
                code?: string;
                error?: string;
                error_description?: string;
                state?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Back to the portal, signed in (or with ?signInError=...) */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    OrganiserAuthController_info: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Sign-in methods */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        entra: {
                            enabled: boolean;
                            signIn: boolean;
                        };
                    };
                };
            };
        };
    };
    OrganiserAuthController_login: {
        parameters: {
            query?: {
                returnTo?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the Microsoft sign-in page */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    OrganiserAuthController_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    OrganiserAuthController_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        method: "admin-token" | "entra-token" | "entra-session";
                        organiser: {
                            email: string;
                            /** Format: uuid */
                            id: string;
                            name: string;
                        } | null;
                        /** @enum {string} */
                        role: "administrator" | "organiser";
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    InferenceProxyController_chat: {
        parameters: {
            query?: {
                /** @description Azure AI Inference api-version, e.g. 2024-05-01-preview (forwarded when given) */
                "api-version"?: unknown;
            };
            header?: {
                /** @description pass-through | drop | error: what the model does with body fields it does not know */
                "extra-parameters"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    InferenceProxyController_completions: {
        parameters: {
            query?: {
                /** @description Azure AI Inference api-version, e.g. 2024-05-01-preview (forwarded when given) */
                "api-version"?: unknown;
            };
            header?: {
                /** @description pass-through | drop | error: what the model does with body fields it does not know */
                "extra-parameters"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    InferenceProxyController_embeddings: {
        parameters: {
            query?: {
                /** @description Azure AI Inference api-version, e.g. 2024-05-01-preview (forwarded when given) */
                "api-version"?: unknown;
            };
            header?: {
                /** @description pass-through | drop | error: what the model does with body fields it does not know */
                "extra-parameters"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    LegacyEventController_registration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description End as local wall-clock time in the event time zone, without offset */
                        end_timestamp: string;
                        /** @description End, UTC ISO 8601 */
                        ends_at: string;
                        /** @description The event name */
                        event_code: string;
                        event_id: string;
                        event_image_url: string | null;
                        /** @description The event description (Markdown) */
                        event_markdown: string;
                        organizer_email: string;
                        organizer_name: string;
                        /** @description Start as local wall-clock time in the event time zone, without offset (as Azure AI Proxy sent it) */
                        start_timestamp: string;
                        /** @description Start, UTC ISO 8601 */
                        starts_at: string;
                        /** @description IANA time zone, e.g. Europe/Berlin */
                        time_zone_label: string;
                        /** @description Minutes east of UTC at the event start (Europe/Berlin in winter: 60) */
                        time_zone_offset: number;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    EventInfoController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Event info */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attendee: {
                            email: string;
                            id: string;
                            name: string;
                        };
                        dailyRequestCap: number;
                        deployments: {
                            deploymentName: string;
                            /** @enum {string} */
                            modelClass: "openai-chat" | "openai-completions" | "openai-embeddings" | "openai-dall-e-3" | "openai-dall-e-2" | "openai-audio-transcription" | "openai-audio-speech" | "openai-realtime" | "openai-responses" | "openai-assistant" | "azure-ai-search" | "azure-ai-inference";
                        }[];
                        description: string;
                        endsAt: string;
                        eventId: string;
                        eventUrl: string | null;
                        maxTokenCap: number;
                        name: string;
                        organizerEmail: string;
                        organizerName: string;
                        startsAt: string;
                        /** @enum {string} */
                        status: "upcoming" | "live" | "ended";
                        timeZone: string;
                        usage: {
                            /** @description Calendar day in the event time zone */
                            day: string;
                            remainingRequests: number;
                            requests: number;
                            /** @description Next midnight in the event time zone (UTC ISO 8601) */
                            resetsAt: string;
                            tokens: number;
                        };
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    LegacyEventController_eventInfo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Event info */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Model class → the event's deployment names of that class, e.g. {"openai-chat": ["gpt-4o"]} */
                        capabilities: {
                            [key: string]: string[];
                        };
                        /** @description The event name (Azure AI Proxy called it the event code) */
                        event_code: string;
                        event_image_url: string | null;
                        /** @description False once the attendee has used up today's request allowance */
                        is_authorized: boolean;
                        /** @description Largest max_tokens one request may ask for */
                        max_token_cap: number;
                        organizer_email: string;
                        organizer_name: string;
                    };
                };
            };
            /** @description Missing or wrong admin token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    PublicEventController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description False while the organiser has frozen the event */
                        active: boolean;
                        description: string;
                        endsAt: string;
                        eventUrl: string | null;
                        id: string;
                        name: string;
                        organizerName: string;
                        registration: {
                            /** @enum {string} */
                            mode: "open" | "code" | "github";
                        };
                        /** @description UTC ISO 8601 */
                        startsAt: string;
                        /** @enum {string} */
                        status: "upcoming" | "live" | "ended";
                        timeZone: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    RegistrationController_register: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                eventId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Registration code, for events in "code" mode */
                    code?: string;
                    /** Format: email */
                    email: string;
                    name: string;
                };
            };
        };
        responses: {
            /** @description Registered; the key is shown only once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Shown once; store it now */
                        apiKey: string;
                        attendeeId: string;
                        endpoints: {
                            /** @description Endpoint for AzureOpenAI SDK clients */
                            azureOpenAI: string;
                            /** @description baseURL for OpenAI SDK clients */
                            openAI: string;
                        };
                        endsAt: string;
                        eventId: string;
                        eventName: string;
                        keyPrefix: string;
                        startsAt: string;
                    };
                };
            };
            /** @description Invalid input; `details` names each bad field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Unknown id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Already exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
            /** @description Too many attempts; retry-after says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        details?: {
                            field: string;
                            message: string;
                        }[];
                        message: string;
                        requestId: string;
                    };
                };
            };
        };
    };
    InferenceProxyController_imageEmbeddings: {
        parameters: {
            query?: {
                /** @description Azure AI Inference api-version, e.g. 2024-05-01-preview (forwarded when given) */
                "api-version"?: unknown;
            };
            header?: {
                /** @description pass-through | drop | error: what the model does with body fields it does not know */
                "extra-parameters"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "SearchProxyController_searchOData[1]": {
        parameters: {
            query?: {
                /** @description Azure AI Search api-version, e.g. 2025-09-01 (default 2024-07-01) */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A search index (azure-ai-search deployment) attached to your event */
                index: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The search results, passed on unread from the event's Azure AI Search service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "SearchProxyController_searchGet[1]": {
        parameters: {
            query?: {
                /** @description Azure AI Search api-version, e.g. 2025-09-01 (default 2024-07-01) */
                "api-version"?: unknown;
                /** @description Search text; the other Azure AI Search query parameters pass through */
                search?: unknown;
            };
            header?: never;
            path: {
                /** @description A search index (azure-ai-search deployment) attached to your event */
                index: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The search results, passed on unread from the event's Azure AI Search service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "SearchProxyController_search[1]": {
        parameters: {
            query?: {
                /** @description Azure AI Search api-version, e.g. 2025-09-01 (default 2024-07-01) */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A search index (azure-ai-search deployment) attached to your event */
                index: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The search results, passed on unread from the event's Azure AI Search service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    InferenceProxyController_info: {
        parameters: {
            query?: {
                /** @description Azure AI Inference api-version, e.g. 2024-05-01-preview (forwarded when given) */
                "api-version"?: unknown;
                /** @description The deployment; else the azureml-model-deployment header; else the event's only AI Inference deployment */
                model?: unknown;
            };
            header?: {
                /** @description pass-through | drop | error: what the model does with body fields it does not know */
                "extra-parameters"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_listAssistants: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_createAssistant: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getAssistant: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_updateAssistant: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_deleteAssistant: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_speech[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    input: string;
                    /** @description The deployment (class openai-audio-speech) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    /** @enum {string} */
                    response_format?: "mp3" | "opus" | "aac" | "flac" | "wav" | "pcm";
                    speed?: number;
                    /** @example alloy */
                    voice: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The audio bytes, streamed as the upstream sends them (content-type passed on) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "audio/aac": string;
                    "audio/flac": string;
                    "audio/mpeg": string;
                    "audio/opus": string;
                    "audio/pcm": string;
                    "audio/wav": string;
                };
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_transcriptions[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_translations[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_chat[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_completions[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_embeddings[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_chatExtensions[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_images[1]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_listFiles: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_uploadFile: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description At most 512 MB
                     */
                    file: string;
                    /** @example assistants */
                    purpose: string;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getFile: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_deleteFile: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getFileContent: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file bytes, streamed as the upstream sends them */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_responsesDated[1]": {
        parameters: {
            query: {
                /** @description A dated preview api-version with the Responses API, e.g. 2025-04-01-preview */
                "api-version": unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A string, or a list of input items */
                    input: string | Record<string, never>[];
                    instructions?: string;
                    /** @description At most the event's token cap (400 above it); set to the cap when absent */
                    max_output_tokens?: number;
                    /** @description The deployment: class openai-responses, or an openai-chat deployment (gpt-4o-class chat deployments serve the Responses API too) */
                    model: string;
                    /** @description Named server-sent events (response.created … response.completed), no [DONE] */
                    stream?: boolean;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A response object, or with stream: true named server-sent events ending with response.completed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_createThread: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getThread: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_updateThread: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_deleteThread: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_listMessages: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_createMessage: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getMessage: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_updateMessage: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_deleteMessage: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_listRuns: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_createRun: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A run object, or with stream: true named server-sent events (thread.run.created … thread.run.completed, then done) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getRun: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_updateRun: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_cancelRun: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_listRunSteps: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getRunStep: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_submitToolOutputs: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A run object, or with stream: true named server-sent events (thread.run.created … thread.run.completed, then done) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_createThreadAndRun: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A run object, or with stream: true named server-sent events (thread.run.created … thread.run.completed, then done) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_responses[3]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A string, or a list of input items */
                    input: string | Record<string, never>[];
                    instructions?: string;
                    /** @description At most the event's token cap (400 above it); set to the cap when absent */
                    max_output_tokens?: number;
                    /** @description The deployment: class openai-responses, or an openai-chat deployment (gpt-4o-class chat deployments serve the Responses API too) */
                    model: string;
                    /** @description Named server-sent events (response.created … response.completed), no [DONE] */
                    stream?: boolean;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A response object, or with stream: true named server-sent events ending with response.completed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_listVectorStores: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_createVectorStore: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getVectorStore: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_updateVectorStore: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_deleteVectorStore: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_listVectorStoreFiles: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_addVectorStoreFile: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_getVectorStoreFile: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    AssistantsController_deleteVectorStoreFile: {
        parameters: {
            query?: {
                /** @description Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1 */
                "api-version"?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_responses[2]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A string, or a list of input items */
                    input: string | Record<string, never>[];
                    instructions?: string;
                    /** @description At most the event's token cap (400 above it); set to the cap when absent */
                    max_output_tokens?: number;
                    /** @description The deployment: class openai-responses, or an openai-chat deployment (gpt-4o-class chat deployments serve the Responses API too) */
                    model: string;
                    /** @description Named server-sent events (response.created … response.completed), no [DONE] */
                    stream?: boolean;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A response object, or with stream: true named server-sent events ending with response.completed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    HealthController_alive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "SearchProxyController_searchOData[0]": {
        parameters: {
            query?: {
                /** @description Azure AI Search api-version, e.g. 2025-09-01 (default 2024-07-01) */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A search index (azure-ai-search deployment) attached to your event */
                index: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The search results, passed on unread from the event's Azure AI Search service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "SearchProxyController_searchGet[0]": {
        parameters: {
            query?: {
                /** @description Azure AI Search api-version, e.g. 2025-09-01 (default 2024-07-01) */
                "api-version"?: unknown;
                /** @description Search text; the other Azure AI Search query parameters pass through */
                search?: unknown;
            };
            header?: never;
            path: {
                /** @description A search index (azure-ai-search deployment) attached to your event */
                index: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The search results, passed on unread from the event's Azure AI Search service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "SearchProxyController_search[0]": {
        parameters: {
            query?: {
                /** @description Azure AI Search api-version, e.g. 2025-09-01 (default 2024-07-01) */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A search index (azure-ai-search deployment) attached to your event */
                index: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The search results, passed on unread from the event's Azure AI Search service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_speech[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    input: string;
                    /** @description The deployment (class openai-audio-speech) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    /** @enum {string} */
                    response_format?: "mp3" | "opus" | "aac" | "flac" | "wav" | "pcm";
                    speed?: number;
                    /** @example alloy */
                    voice: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The audio bytes, streamed as the upstream sends them (content-type passed on) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "audio/aac": string;
                    "audio/flac": string;
                    "audio/mpeg": string;
                    "audio/opus": string;
                    "audio/pcm": string;
                    "audio/wav": string;
                };
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_transcriptions[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_translations[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_chat[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_completions[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_embeddings[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_chatExtensions[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "AzureProxyController_images[0]": {
        parameters: {
            query?: {
                /** @description Azure api-version, e.g. 2024-10-21 */
                "api-version"?: unknown;
            };
            header?: never;
            path: {
                /** @description A deployment attached to your event */
                deployment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "RealtimeController_upgrade[1]": {
        parameters: {
            query?: {
                /** @description Attendee key, for browsers that cannot set headers (never logged) */
                "api-key"?: unknown;
                /** @description Azure preview api-version, e.g. 2025-04-01-preview */
                "api-version"?: unknown;
                /** @description Deployment name (Azure preview URL) */
                deployment?: unknown;
                /** @description Deployment name (GA and OpenAI URLs) */
                model?: unknown;
            };
            header?: {
                /** @description `realtime`, optionally `openai-insecure-api-key.{key}` and `openai-beta.realtime-v1` */
                "Sec-WebSocket-Protocol"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching Protocols: the session is open and relayed to the upstream */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description A plain GET: upgrade to WebSocket */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_responsesDated[0]": {
        parameters: {
            query: {
                /** @description A dated preview api-version with the Responses API, e.g. 2025-04-01-preview */
                "api-version": unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A string, or a list of input items */
                    input: string | Record<string, never>[];
                    instructions?: string;
                    /** @description At most the event's token cap (400 above it); set to the cap when absent */
                    max_output_tokens?: number;
                    /** @description The deployment: class openai-responses, or an openai-chat deployment (gpt-4o-class chat deployments serve the Responses API too) */
                    model: string;
                    /** @description Named server-sent events (response.created … response.completed), no [DONE] */
                    stream?: boolean;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A response object, or with stream: true named server-sent events ending with response.completed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_speech[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    input: string;
                    /** @description The deployment (class openai-audio-speech) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    /** @enum {string} */
                    response_format?: "mp3" | "opus" | "aac" | "flac" | "wav" | "pcm";
                    speed?: number;
                    /** @example alloy */
                    voice: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The audio bytes, streamed as the upstream sends them (content-type passed on) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "audio/aac": string;
                    "audio/flac": string;
                    "audio/mpeg": string;
                    "audio/opus": string;
                    "audio/pcm": string;
                    "audio/wav": string;
                };
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_transcriptions[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_translations[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_chat[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_completions[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_embeddings[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_images[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_listModels[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "OpenAiProxyController_getModel[1]": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "RealtimeController_upgrade[0]": {
        parameters: {
            query?: {
                /** @description Attendee key, for browsers that cannot set headers (never logged) */
                "api-key"?: unknown;
                /** @description Azure preview api-version, e.g. 2025-04-01-preview */
                "api-version"?: unknown;
                /** @description Deployment name (Azure preview URL) */
                deployment?: unknown;
                /** @description Deployment name (GA and OpenAI URLs) */
                model?: unknown;
            };
            header?: {
                /** @description `realtime`, optionally `openai-insecure-api-key.{key}` and `openai-beta.realtime-v1` */
                "Sec-WebSocket-Protocol"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching Protocols: the session is open and relayed to the upstream */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description A plain GET: upgrade to WebSocket */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_responses[1]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A string, or a list of input items */
                    input: string | Record<string, never>[];
                    instructions?: string;
                    /** @description At most the event's token cap (400 above it); set to the cap when absent */
                    max_output_tokens?: number;
                    /** @description The deployment: class openai-responses, or an openai-chat deployment (gpt-4o-class chat deployments serve the Responses API too) */
                    model: string;
                    /** @description Named server-sent events (response.created … response.completed), no [DONE] */
                    stream?: boolean;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A response object, or with stream: true named server-sent events ending with response.completed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    HealthController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not ready; `checks` says why */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "OpenAiProxyController_speech[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    input: string;
                    /** @description The deployment (class openai-audio-speech) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    /** @enum {string} */
                    response_format?: "mp3" | "opus" | "aac" | "flac" | "wav" | "pcm";
                    speed?: number;
                    /** @example alloy */
                    voice: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The audio bytes, streamed as the upstream sends them (content-type passed on) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "audio/aac": string;
                    "audio/flac": string;
                    "audio/mpeg": string;
                    "audio/opus": string;
                    "audio/pcm": string;
                    "audio/wav": string;
                };
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_transcriptions[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_translations[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The audio file, at most 25 MB; streamed to the upstream, never held in memory
                     */
                    file: string;
                    /** @description ISO-639-1 code of the spoken language (transcriptions) */
                    language?: string;
                    /** @description The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes */
                    model?: string;
                    prompt?: string;
                    /** @enum {string} */
                    response_format?: "json" | "text" | "srt" | "verbose_json" | "vtt";
                    temperature?: number;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_chat[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_completions[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_embeddings[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_images[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The upstream answer (JSON or text/event-stream) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_listModels[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "OpenAiProxyController_getModel[0]": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    "RealtimeController_upgrade[2]": {
        parameters: {
            query?: {
                /** @description Attendee key, for browsers that cannot set headers (never logged) */
                "api-key"?: unknown;
                /** @description Azure preview api-version, e.g. 2025-04-01-preview */
                "api-version"?: unknown;
                /** @description Deployment name (Azure preview URL) */
                deployment?: unknown;
                /** @description Deployment name (GA and OpenAI URLs) */
                model?: unknown;
            };
            header?: {
                /** @description `realtime`, optionally `openai-insecure-api-key.{key}` and `openai-beta.realtime-v1` */
                "Sec-WebSocket-Protocol"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching Protocols: the session is open and relayed to the upstream */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description A plain GET: upgrade to WebSocket */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error, answered instead of upgrading */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
    "OpenAiProxyController_responses[0]": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A string, or a list of input items */
                    input: string | Record<string, never>[];
                    instructions?: string;
                    /** @description At most the event's token cap (400 above it); set to the cap when absent */
                    max_output_tokens?: number;
                    /** @description The deployment: class openai-responses, or an openai-chat deployment (gpt-4o-class chat deployments serve the Responses API too) */
                    model: string;
                    /** @description Named server-sent events (response.created … response.completed), no [DONE] */
                    stream?: boolean;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A response object, or with stream: true named server-sent events ending with response.completed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OpenAI-shaped error */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
            /** @description OpenAI-shaped error */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            code: string | null;
                            message: string;
                            param: string | null;
                            /** @description The HTTP status, repeated in the body */
                            status: number;
                            type: string;
                        };
                    };
                };
            };
        };
    };
}
