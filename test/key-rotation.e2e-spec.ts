import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { rotateResourceKeys } from '../src/resources/key-rotation';
import { ResourcesRepository } from '../src/resources/resources.repository';
import { SecretBox } from '../src/resources/secret-box';
import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient } from './support/http';
import { ENCRYPTION_KEY, startTestApp, TestApp } from './support/test-app';

describe('ENCRYPTION_KEY rotation', () => {
  const upstreamKey = `sk-rotate-${randomBytes(12).toString('hex')}`;
  const newKey = `rotated-encryption-key-${randomBytes(16).toString('hex')}`;
  let sim: RunningSimulator;
  let running: TestApp | undefined;

  beforeAll(async () => {
    // Accepts only upstreamKey: a completion through the proxy proves the stored key still decrypts.
    sim = await startSimulator({ apiKey: upstreamKey, port: 0 });
  });
  afterAll(async () => {
    await running?.close();
    await sim.close();
  });

  const chat = (url: string, key: string) =>
    httpClient(url).post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'api-key': key } });

  it('re-encrypts upstream keys under a new key without a moment where they stop working', async () => {
    const first = (running = await startTestApp());
    const { event } = await seedEvent(httpClient(first.url), {}, [
      { deploymentName: 'chat', upstream: 'openai', endpointUrl: sim.url, apiKey: upstreamKey },
    ]);
    const { apiKey } = await registerAttendee(httpClient(first.url), event.id);
    await first.close({ keepData: true });

    // Step 1: serve with the new key while the old one still decrypts.
    const during = (running = await startTestApp({
      dataDir: first.dataDir,
      databaseUrl: first.databaseUrl,
      env: { ENCRYPTION_KEY: newKey, ENCRYPTION_KEY_PREVIOUS: ENCRYPTION_KEY },
    }));
    expect((await chat(during.url, apiKey)).status).toBe(200);

    // Step 2: the rotation command's work.
    const box = new SecretBox(during.config.secrets.encryptionKey, during.config.secrets.previousEncryptionKeys);
    const repo = new ResourcesRepository(during.app.get(DataSource));
    expect(await rotateResourceKeys(repo, box)).toEqual({ reEncrypted: 1, alreadyCurrent: 0, failed: [] });
    expect(await rotateResourceKeys(repo, box)).toEqual({ reEncrypted: 0, alreadyCurrent: 1, failed: [] });
    await during.close({ keepData: true });

    // Step 3: the old key is gone and everything still works.
    const after = (running = await startTestApp({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, env: { ENCRYPTION_KEY: newKey } }));
    const res = await chat(after.url, apiKey);
    expect(res.status).toBe(200);
  });

  it('reports keys that no configured key can decrypt', async () => {
    const foreign = new SecretBox(randomBytes(32)).seal('lost');
    const rows = [{ id: 'r1', apiKeyEncrypted: foreign }];
    const repo = { encryptedKeys: async () => rows, replaceEncryptedKey: async () => true } as unknown as ResourcesRepository;
    expect(await rotateResourceKeys(repo, new SecretBox(randomBytes(32), [randomBytes(32)]))).toEqual({
      reEncrypted: 0,
      alreadyCurrent: 0,
      failed: ['r1'],
    });
  });
});
