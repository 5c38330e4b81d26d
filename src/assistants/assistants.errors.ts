import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { OwnedKind } from './assistant-object.types';

const NOUN: Record<OwnedKind, string> = {
  assistant: 'assistant',
  thread: 'thread',
  file: 'file',
  vector_store: 'vector store',
  run: 'run',
};

export const assistantsErrors = {
  /** The same answer whether the object does not exist or belongs to someone else: nothing leaks. */
  notFound: (kind: OwnedKind, id: string, param?: string) =>
    new DomainError(
      ErrorCode.AssistantObjectNotFound,
      `No ${NOUN[kind]} found with id '${id.slice(0, 128)}'.`,
      { param },
    ),
  noDeployment: () =>
    new DomainError(
      ErrorCode.DeploymentNotFound,
      'This event has no Assistants deployment (a resource of class openai-assistant). Ask the organiser to add one.',
    ),
  sharedReadOnly: (id: string) =>
    new DomainError(
      ErrorCode.Forbidden,
      `The assistant '${id}' is this event's shared assistant: everyone in the event may use it, nobody may modify or delete it. ` +
        'Create your own assistant to change its settings.',
    ),
  reservedName: (name: string) =>
    new DomainError(
      ErrorCode.ValidationFailed,
      `The assistant name '${name}' is reserved for the event's shared assistant. Choose another name.`,
      { param: 'name' },
    ),
  notMultipart: () =>
    new DomainError(
      ErrorCode.ValidationFailed,
      "File uploads take a multipart/form-data body with a 'purpose' field and a 'file' part.",
      { param: 'file' },
    ),
  missingPart: (name: 'file' | 'purpose') =>
    new DomainError(ErrorCode.ValidationFailed, `Missing required parameter: '${name}'.`, { param: name }),
  uploadTooLarge: (limit: number) =>
    new DomainError(
      ErrorCode.PayloadTooLarge,
      `The file is larger than the ${Math.round(limit / 1024 / 1024)} MB upload limit.`,
      { param: 'file' },
    ),
};
