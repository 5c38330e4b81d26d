import { REDACTED, RequestLog, redactHeaders, redactQuery } from './request-log';

describe(RequestLog.name, () => {
  it('keeps only the most recent entries', () => {
    const sut = new RequestLog(2);
    for (const path of ['/a', '/b', '/c']) sut.add({ method: 'GET', path, query: {}, headers: {}, body: undefined });

    expect(sut.list().map((entry) => entry.path)).toEqual(['/b', '/c']);
  });
});

describe(redactHeaders.name, () => {
  it('hides credentials and keeps the rest', () => {
    expect(redactHeaders({ 'api-key': 'k', Authorization: 'Bearer k', 'x-mock-latency-ms': '5', skipped: undefined })).toEqual({
      'api-key': REDACTED,
      Authorization: REDACTED,
      'x-mock-latency-ms': '5',
    });
  });

  it('hides keys passed in the query string', () => {
    expect(redactQuery({ 'api-key': 'k', 'api-version': 'v1' })).toEqual({ 'api-key': REDACTED, 'api-version': 'v1' });
  });
});
