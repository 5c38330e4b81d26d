import { matchSharedCode, parseSharedCodeKey, validSuffix } from './shared-code-key';

describe(parseSharedCodeKey.name, () => {
  it('splits off the event id before the first @', () => {
    expect(parseSharedCodeKey('hack-2026@s3cret/ada@example.com')).toEqual({ eventId: 'hack-2026', rest: 's3cret/ada@example.com' });
  });

  it('ignores keys whose part before the @ cannot be an event id, such as issued keys', () => {
    for (const key of ['aip_abcdefghijklmnop', '@code/someone-long', 'Hack@code/someone-long', 'ab@code/someone-long', 'ev_1@code/someone-long']) {
      expect(parseSharedCodeKey(key)).toBeUndefined();
    }
  });
});

describe(matchSharedCode.name, () => {
  it('gives the suffix when the code and the slash match', () => {
    expect(matchSharedCode('s3cret/ada@example.com', 's3cret')).toBe('ada@example.com');
    expect(matchSharedCode('a/b/c/some-user', 'a/b')).toBe('c/some-user');
  });

  it('refuses a wrong, longer, shorter or slash-less code', () => {
    expect(matchSharedCode('s3creT/ada@example.com', 's3cret')).toBeUndefined();
    expect(matchSharedCode('s3cretX/ada@example.com', 's3cret')).toBeUndefined();
    expect(matchSharedCode('s3cre/ada@example.com', 's3cret')).toBeUndefined();
    expect(matchSharedCode('s3cret', 's3cret')).toBeUndefined();
    expect(matchSharedCode('', 's3cret')).toBeUndefined();
  });
});

describe(validSuffix.name, () => {
  it('takes an email of any length or any 8 characters', () => {
    expect(validSuffix('a@b.io')).toBe(true);
    expect(validSuffix('githubuser')).toBe(true);
    expect(validSuffix('12345678')).toBe(true);
  });

  it('refuses short names, padding, control characters and overlong suffixes', () => {
    expect(validSuffix('ada')).toBe(false);
    expect(validSuffix('')).toBe(false);
    expect(validSuffix(' githubuser')).toBe(false);
    expect(validSuffix('github\nuser')).toBe(false);
    expect(validSuffix('x'.repeat(321))).toBe(false);
  });
});
