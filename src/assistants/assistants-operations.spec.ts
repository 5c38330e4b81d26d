import { ASSISTANTS_OPERATIONS, concretePath, referencedIds } from './assistants-operations';

describe(referencedIds.name, () => {
  it('finds assistant, file and vector store ids anywhere in a body, except in metadata', () => {
    const body = {
      assistant_id: 'asst_1',
      thread: {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_file', image_file: { file_id: 'file-img' } }],
            attachments: [{ file_id: 'file-att' }],
          },
        ],
      },
      tool_resources: {
        code_interpreter: { file_ids: ['file-a', 'file-b'] },
        file_search: { vector_store_ids: ['vs_1'], vector_stores: [{ file_ids: ['file-c'] }] },
      },
      metadata: { file_id: 'not-a-reference' },
    };
    expect(referencedIds(body)).toEqual([
      { id: 'asst_1', kind: 'assistant', param: 'assistant_id' },
      { id: 'file-img', kind: 'file', param: 'file_id' },
      { id: 'file-att', kind: 'file', param: 'file_id' },
      { id: 'file-a', kind: 'file', param: 'file_ids' },
      { id: 'file-b', kind: 'file', param: 'file_ids' },
      { id: 'vs_1', kind: 'vector_store', param: 'vector_store_ids' },
      { id: 'file-c', kind: 'file', param: 'file_ids' },
    ]);
  });

  it('finds nothing in a body without references', () => {
    expect(referencedIds({ role: 'user', content: 'hi', name: 'x' })).toEqual([]);
    expect(referencedIds(undefined)).toEqual([]);
  });
});

describe(concretePath.name, () => {
  it('fills and encodes the path parameters', () => {
    expect(
      concretePath(ASSISTANTS_OPERATIONS.getRunStep.path, {
        threadId: 'thread_1',
        runId: 'run_2',
        stepId: 'a/b',
      }),
    ).toBe('threads/thread_1/runs/run_2/steps/a%2Fb');
  });
});
