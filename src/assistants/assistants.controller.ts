import { Controller, Delete, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Attendee } from '../auth/decorators/auth.decorators';
import type { AttendeePrincipal } from '../auth/principal';
import { AcceptsMultipart } from '../proxy/multipart/multipart-parser';
import { ProxyRoute, RouteDoc } from '../proxy/proxy-route.decorator';
import { ASSISTANTS_OPERATIONS, AssistantsOperationName } from './assistants-operations';
import { AssistantsCall, AssistantsService } from './assistants.service';

const BODYLESS: RouteDoc = { body: null };
const RUN_DOC: RouteDoc = {
  ok: 'A run object, or with stream: true named server-sent events (thread.run.created … thread.run.completed, then done)',
  description:
    "Counts against the daily request cap; max_completion_tokens may not exceed the event's token cap. Metered from the run's usage once it finishes.",
};
const FILE_DOC: RouteDoc = {
  consumes: 'multipart/form-data',
  body: {
    schema: {
      type: 'object',
      required: ['purpose', 'file'],
      properties: {
        purpose: { type: 'string', example: 'assistants' },
        file: { type: 'string', format: 'binary', description: 'At most 512 MB' },
      },
    },
  },
  errors: [413],
};
const CONTENT_DOC: RouteDoc = {
  body: null,
  produces: ['application/octet-stream'],
  ok: 'The file bytes, streamed as the upstream sends them',
};

function call(
  operation: AssistantsOperationName,
  req: FastifyRequest,
  params: Record<string, string>,
  apiVersion: string | undefined,
): AssistantsCall {
  const family = req.url.replace(/^\/api\/v1(?=\/)/, '').startsWith('/openai/') ? 'azure' : 'openai';
  return { operation, family, params, apiVersion: family === 'azure' ? apiVersion : undefined };
}

/**
 * Assistants, threads, messages, runs, run steps, files and vector stores, per attendee: ids created
 * through a key are that attendee's alone (see AssistantsService).
 */
function assistantsController(name: string, bases: string[]) {
  const at = (path: string) => bases.map((base) => `${base}/${path}`);

  @ApiTags('Proxy: Assistants')
  @ApiQuery({
    name: 'api-version',
    required: false,
    description:
      'Azure api-version with the Assistants API (preview versions, e.g. 2025-04-01-preview); not used on /v1',
  })
  @Controller()
  class AssistantsRoutes {
    constructor(private readonly assistants: AssistantsService) {}

    @Post(at(ASSISTANTS_OPERATIONS.createAssistant.path))
    @ProxyRoute('Create an assistant (model = an assistant deployment of your event)', {})
    createAssistant(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('createAssistant', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.listAssistants.path))
    @ProxyRoute("List your assistants and the event's shared assistant", BODYLESS)
    listAssistants(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('listAssistants', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getAssistant.path))
    @ProxyRoute('Get an assistant (yours, or the shared one)', BODYLESS)
    getAssistant(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getAssistant', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.updateAssistant.path))
    @ProxyRoute('Modify your assistant', {})
    updateAssistant(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('updateAssistant', req, params, apiVersion), p, req, reply);
    }

    @Delete(at(ASSISTANTS_OPERATIONS.deleteAssistant.path))
    @ProxyRoute('Delete your assistant', BODYLESS)
    deleteAssistant(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('deleteAssistant', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.createThread.path))
    @ProxyRoute('Create a thread', {})
    createThread(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('createThread', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.createThreadAndRun.path))
    @ProxyRoute('Create a thread and run it (stream: true for server-sent events)', RUN_DOC)
    createThreadAndRun(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('createThreadAndRun', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getThread.path))
    @ProxyRoute('Get your thread', BODYLESS)
    getThread(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getThread', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.updateThread.path))
    @ProxyRoute('Modify your thread', {})
    updateThread(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('updateThread', req, params, apiVersion), p, req, reply);
    }

    @Delete(at(ASSISTANTS_OPERATIONS.deleteThread.path))
    @ProxyRoute('Delete your thread', BODYLESS)
    deleteThread(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('deleteThread', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.createMessage.path))
    @ProxyRoute('Add a message to your thread', {})
    createMessage(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('createMessage', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.listMessages.path))
    @ProxyRoute('List the messages of your thread', BODYLESS)
    listMessages(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('listMessages', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getMessage.path))
    @ProxyRoute('Get a message of your thread', BODYLESS)
    getMessage(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getMessage', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.updateMessage.path))
    @ProxyRoute('Modify a message of your thread', {})
    updateMessage(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('updateMessage', req, params, apiVersion), p, req, reply);
    }

    @Delete(at(ASSISTANTS_OPERATIONS.deleteMessage.path))
    @ProxyRoute('Delete a message of your thread', BODYLESS)
    deleteMessage(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('deleteMessage', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.createRun.path))
    @ProxyRoute(
      'Run an assistant (yours or the shared one) on your thread (stream: true for server-sent events)',
      RUN_DOC,
    )
    createRun(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('createRun', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.listRuns.path))
    @ProxyRoute('List the runs of your thread', BODYLESS)
    listRuns(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('listRuns', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getRun.path))
    @ProxyRoute('Get a run of your thread (usage once completed)', BODYLESS)
    getRun(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getRun', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.updateRun.path))
    @ProxyRoute('Modify a run of your thread', {})
    updateRun(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('updateRun', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.cancelRun.path))
    @ProxyRoute('Cancel a run of your thread', {})
    cancelRun(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('cancelRun', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.submitToolOutputs.path))
    @ProxyRoute('Submit tool outputs to a run of your thread', RUN_DOC)
    submitToolOutputs(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('submitToolOutputs', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.listRunSteps.path))
    @ProxyRoute('List the steps of a run', BODYLESS)
    listRunSteps(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('listRunSteps', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getRunStep.path))
    @ProxyRoute('Get a step of a run', BODYLESS)
    getRunStep(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getRunStep', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.uploadFile.path))
    @AcceptsMultipart()
    @ProxyRoute('Upload a file (multipart: purpose and file)', FILE_DOC)
    uploadFile(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('uploadFile', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.listFiles.path))
    @ProxyRoute('List your files', BODYLESS)
    listFiles(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('listFiles', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getFile.path))
    @ProxyRoute('Get your file', BODYLESS)
    getFile(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getFile', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getFileContent.path))
    @ProxyRoute('Download the content of your file', CONTENT_DOC)
    getFileContent(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getFileContent', req, params, apiVersion), p, req, reply);
    }

    @Delete(at(ASSISTANTS_OPERATIONS.deleteFile.path))
    @ProxyRoute('Delete your file', BODYLESS)
    deleteFile(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('deleteFile', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.createVectorStore.path))
    @ProxyRoute('Create a vector store', {})
    createVectorStore(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('createVectorStore', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.listVectorStores.path))
    @ProxyRoute('List your vector stores', BODYLESS)
    listVectorStores(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('listVectorStores', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getVectorStore.path))
    @ProxyRoute('Get your vector store', BODYLESS)
    getVectorStore(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getVectorStore', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.updateVectorStore.path))
    @ProxyRoute('Modify your vector store', {})
    updateVectorStore(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('updateVectorStore', req, params, apiVersion), p, req, reply);
    }

    @Delete(at(ASSISTANTS_OPERATIONS.deleteVectorStore.path))
    @ProxyRoute('Delete your vector store', BODYLESS)
    deleteVectorStore(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('deleteVectorStore', req, params, apiVersion), p, req, reply);
    }

    @Post(at(ASSISTANTS_OPERATIONS.addVectorStoreFile.path))
    @ProxyRoute('Add one of your files to your vector store', {})
    addVectorStoreFile(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('addVectorStoreFile', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.listVectorStoreFiles.path))
    @ProxyRoute('List the files of your vector store', BODYLESS)
    listVectorStoreFiles(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('listVectorStoreFiles', req, params, apiVersion), p, req, reply);
    }

    @Get(at(ASSISTANTS_OPERATIONS.getVectorStoreFile.path))
    @ProxyRoute('Get a file of your vector store', BODYLESS)
    getVectorStoreFile(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('getVectorStoreFile', req, params, apiVersion), p, req, reply);
    }

    @Delete(at(ASSISTANTS_OPERATIONS.deleteVectorStoreFile.path))
    @ProxyRoute('Remove a file from your vector store', BODYLESS)
    deleteVectorStoreFile(
      @Param() params: Record<string, string>,
      @Query('api-version') apiVersion: string | undefined,
      @Attendee() p: AttendeePrincipal,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ) {
      return this.assistants.handle(call('deleteVectorStoreFile', req, params, apiVersion), p, req, reply);
    }
  }
  // Distinct names for Nest's logs and route explorer.
  Object.defineProperty(AssistantsRoutes, 'name', { value: name });
  return AssistantsRoutes;
}

/** Documented once, at the original Azure AI Proxy's base `/api/v1/openai`. */
export const AssistantsController = assistantsController('AssistantsController', ['api/v1/openai']);

/** The same routes at the AzureOpenAI client's `{endpoint}/openai` and OpenAI's `/v1`; left out of the OpenAPI document. */
export const AssistantsAliasController = assistantsController('AssistantsAliasController', ['openai', 'v1']);
ApiExcludeController()(AssistantsAliasController);
