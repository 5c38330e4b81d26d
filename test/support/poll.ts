/**
 * Re-evaluates `read` until `done` accepts its value or the deadline passes, then returns the last value
 * (so the caller's expect() shows what was seen). For effects that land just after a response is sent.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}
