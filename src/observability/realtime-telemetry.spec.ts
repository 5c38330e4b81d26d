import { realtimeOutcome } from './realtime-telemetry';

describe(realtimeOutcome.name, () => {
  it('calls a clean close by either side normal, a lost connection dropped and any other code an error', () => {
    expect(realtimeOutcome('client', 1000)).toBe('normal');
    expect(realtimeOutcome('client', 1005)).toBe('normal');
    expect(realtimeOutcome('upstream', 1001)).toBe('normal');
    expect(realtimeOutcome('client', 1006)).toBe('dropped');
    expect(realtimeOutcome('upstream', 1011)).toBe('error');
    expect(realtimeOutcome('client', 4321)).toBe('error');
  });

  it('names the rule with which the proxy ended a session, and a proxy end without one a shutdown', () => {
    expect(realtimeOutcome('proxy', 1008, 'token_limit_exceeded')).toBe('token_limit_exceeded');
    expect(realtimeOutcome('proxy', 1008, 'key_revoked')).toBe('key_revoked');
    expect(realtimeOutcome('proxy', 1001)).toBe('shutdown');
  });
});
