import type { SearchDocument } from './simulator.config';

/** Azure AI Search over canned documents: every document comes back, best score first. */
export interface SearchQuery {
  search?: string;
  top?: number;
  skip?: number;
  count?: boolean;
  select?: string[];
}

export interface SearchResult {
  count: number;
  value: SearchDocument[];
}

/** Azure's default page size when `top` is absent. */
export const DEFAULT_TOP = 50;

function terms(search: string | undefined): string[] {
  if (search === undefined) return [];
  return search
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term !== '');
}

/** A configured `@search.score` wins; otherwise one point per query term found in the document's text. */
export function scoreDocument(document: SearchDocument, search: string | undefined): number {
  const configured = document['@search.score'];
  if (typeof configured === 'number') return configured;
  const wanted = terms(search);
  if (wanted.length === 0) return 1;
  const text = Object.entries(document)
    .filter(([key]) => !key.startsWith('@'))
    .map(([, value]) => (typeof value === 'string' ? value : JSON.stringify(value)))
    .join(' ')
    .toLowerCase();
  return wanted.filter((term) => text.includes(term)).length;
}

function project(document: SearchDocument, select: string[] | undefined): SearchDocument {
  if (select === undefined || select.length === 0 || select.includes('*')) return document;
  return Object.fromEntries(Object.entries(document).filter(([key]) => key.startsWith('@search.') || select.includes(key)));
}

export function searchDocuments(documents: readonly SearchDocument[], query: SearchQuery): SearchResult {
  const scored = documents
    .map((document, order) => ({ document: { ...document, '@search.score': scoreDocument(document, query.search) }, order }))
    // Stable for equal scores, so the config order decides ties.
    .sort((a, b) => (b.document['@search.score'] as number) - (a.document['@search.score'] as number) || a.order - b.order);
  const skip = query.skip ?? 0;
  const top = query.top ?? DEFAULT_TOP;
  return {
    count: scored.length,
    value: scored.slice(skip, skip + top).map(({ document }) => project(document, query.select)),
  };
}

/** `select` arrives as "a, b" (REST) or a list; `top`/`skip` as numbers or query strings. */
export function parseSearchQuery(raw: Record<string, unknown>): SearchQuery | string {
  const int = (name: string): number | undefined | string => {
    const value = raw[name] ?? raw[`$${name}`];
    if (value === undefined) return undefined;
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isInteger(n) && n >= 0 ? n : `Invalid value for '${name}': expected a non-negative integer.`;
  };
  const top = int('top');
  const skip = int('skip');
  if (typeof top === 'string') return top;
  if (typeof skip === 'string') return skip;
  const countRaw = raw['count'] ?? raw['$count'];
  const selectRaw = raw['select'] ?? raw['$select'];
  const search = raw['search'];
  return {
    search: typeof search === 'string' ? search : undefined,
    top,
    skip,
    count: countRaw === true || countRaw === 'true',
    select: typeof selectRaw === 'string' ? selectRaw.split(',').map((field) => field.trim()).filter((f) => f !== '') : undefined,
  };
}
