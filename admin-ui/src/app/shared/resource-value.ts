import type { Resource } from '@angular/core';

/** A resource's value, or undefined while it has none (loading, idle or failed: `value()` throws then). */
export function valueOf<T>(resource: Resource<T>): T | undefined {
  return resource.hasValue() ? resource.value() : undefined;
}
