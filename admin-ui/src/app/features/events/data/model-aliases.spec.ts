import { aliasesFromRows, aliasRows } from './model-aliases';

describe('model aliases', () => {
  it('turns the map into sorted rows and back', () => {
    const rows = aliasRows({ 'gpt-4o': 'gpt-4o-eu', 'gpt-35-turbo': 'gpt-4o-mini' });
    expect(rows).toEqual([
      { alias: 'gpt-35-turbo', deployment: 'gpt-4o-mini' },
      { alias: 'gpt-4o', deployment: 'gpt-4o-eu' },
    ]);
    expect(aliasesFromRows(rows)).toEqual({ ok: true, aliases: { 'gpt-35-turbo': 'gpt-4o-mini', 'gpt-4o': 'gpt-4o-eu' } });
    expect(aliasRows(undefined)).toEqual([]);
  });

  it('trims, and ignores blank rows', () => {
    expect(aliasesFromRows([{ alias: ' gpt-4o ', deployment: ' chat ' }, { alias: '', deployment: '  ' }])).toEqual({ ok: true, aliases: { 'gpt-4o': 'chat' } });
  });

  it('names the row and field of the first problem', () => {
    expect(aliasesFromRows([{ alias: 'a', deployment: 'x' }, { alias: '', deployment: 'x' }])).toMatchObject({ ok: false, row: 1, field: 'alias' });
    expect(aliasesFromRows([{ alias: 'a', deployment: '' }])).toMatchObject({ ok: false, row: 0, field: 'deployment' });
    expect(aliasesFromRows([{ alias: 'a', deployment: 'x' }, { alias: 'a', deployment: 'y' }])).toMatchObject({ ok: false, row: 1, field: 'alias', message: '"a" is mapped twice.' });
    expect(aliasesFromRows([{ alias: 'a', deployment: 'a' }])).toMatchObject({ ok: false, field: 'deployment' });
    expect(aliasesFromRows([{ alias: 'a'.repeat(129), deployment: 'x' }])).toMatchObject({ ok: false, field: 'alias' });
  });
});
