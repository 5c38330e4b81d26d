import { securityHeaders } from './security-headers';

describe('security headers', () => {
  it('works out helmet’s headers once, CSP included, and drops X-Powered-By', () => {
    const h = securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], objectSrc: ["'none'"] } } });
    const set = new Map(h.set.map(([name, value]) => [name.toLowerCase(), value]));
    expect(set.get('content-security-policy')).toContain("default-src 'self'");
    expect(set.get('content-security-policy')).toContain("object-src 'none'");
    expect(set.get('x-content-type-options')).toBe('nosniff');
    expect(h.remove.map((n) => n.toLowerCase())).toContain('x-powered-by');
  });

  it('rejects an invalid option at start-up rather than per request', () => {
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { 'default-src': ['self'] } } })).toThrow();
  });
});
