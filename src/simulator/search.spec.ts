import { parseSearchQuery, scoreDocument, searchDocuments } from './search';

const documents = [
  { id: '1', title: 'Budget hotel' },
  { id: '2', title: 'Nice hotel', '@search.score': 3.5 },
  { id: '3', title: 'Nice view hotel by the sea' },
];

describe(searchDocuments.name, () => {
  it('returns every document, best score first, config order breaking ties', () => {
    const sut = searchDocuments(documents, { search: 'nice sea' });

    expect(sut.value.map((d) => [d['id'], d['@search.score']])).toEqual([
      ['2', 3.5],
      ['3', 2],
      ['1', 0],
    ]);
    expect(sut.count).toBe(3);
  });

  it('pages with skip and top and projects with select', () => {
    const sut = searchDocuments(documents, { search: '*', skip: 1, top: 1, select: ['title'] });

    expect(sut.value).toEqual([{ title: 'Budget hotel', '@search.score': 1 }]);
  });
});

describe(scoreDocument.name, () => {
  it('scores 1 for a match-all query', () => {
    expect(scoreDocument({ a: 'x' }, '*')).toBe(1);
  });
});

describe(parseSearchQuery.name, () => {
  it('reads the POST body and the $-prefixed GET parameters alike', () => {
    expect(parseSearchQuery({ search: 'x', top: 2, skip: 1, count: true, select: 'a, b' })).toEqual({
      search: 'x',
      top: 2,
      skip: 1,
      count: true,
      select: ['a', 'b'],
    });
    expect(parseSearchQuery({ search: 'x', $top: '2', $count: 'true' })).toMatchObject({ top: 2, count: true });
  });

  it('explains a bad paging value', () => {
    expect(parseSearchQuery({ top: -1 })).toMatch(/top/);
  });
});
