import { HttpClient, HttpHeaders, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { ApiPath, Method, PathParams, PathsFor, QueryParams, RequestBody, ResponseBody } from './api-types';

type QueryValue = string | number | boolean | undefined | null;

export type RequestOptions<P extends ApiPath, M extends Method> = ([PathParams<P, M>] extends [never]
  ? { path?: undefined }
  : { path: PathParams<P, M> }) & {
  query?: QueryParams<P, M>;
  body?: RequestBody<P, M>;
  headers?: Record<string, string>;
};

/** Fills `{name}` placeholders of a documented path and appends a query string. */
export function apiUrl(path: string, params?: unknown, query?: unknown): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (params as Record<string, unknown> | undefined)?.[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, QueryValue>)) {
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  }
  const qs = search.toString();
  return qs ? `${filled}?${qs}` : filled;
}

/**
 * The typed client over the backend's OpenAPI document: the path must be a documented one, and the
 * path parameters, query, body and answer are typed from it. Same-origin: the portal is served by the API.
 */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly http = inject(HttpClient);

  /** A URL for a documented GET path, for `httpResource`. */
  url<P extends PathsFor<'get'>>(path: P, ...[params, query]: UrlArgs<P>): string {
    return apiUrl(path, params, query);
  }

  request<M extends Method, P extends PathsFor<M>>(method: M, path: P, options: RequestOptions<P, M>): Promise<ResponseBody<P, M>> {
    const url = apiUrl(path, options.path, options.query);
    const headers = new HttpHeaders(options.headers ?? {});
    return firstValueFrom(
      this.http.request<ResponseBody<P, M>>(method.toUpperCase(), url, {
        body: options.body,
        headers,
        params: new HttpParams(),
        responseType: 'json',
      }),
    );
  }

  get<P extends PathsFor<'get'>>(path: P, options: RequestOptions<P, 'get'>) {
    return this.request('get', path, options);
  }
  post<P extends PathsFor<'post'>>(path: P, options: RequestOptions<P, 'post'>) {
    return this.request('post', path, options);
  }
  put<P extends PathsFor<'put'>>(path: P, options: RequestOptions<P, 'put'>) {
    return this.request('put', path, options);
  }
  patch<P extends PathsFor<'patch'>>(path: P, options: RequestOptions<P, 'patch'>) {
    return this.request('patch', path, options);
  }
  delete<P extends PathsFor<'delete'>>(path: P, options: RequestOptions<P, 'delete'>) {
    return this.request('delete', path, options);
  }
}

type UrlArgs<P extends PathsFor<'get'>> = [PathParams<P, 'get'>] extends [never]
  ? [params?: undefined, query?: QueryParams<P, 'get'>]
  : [params: PathParams<P, 'get'>, query?: QueryParams<P, 'get'>];
