/** A JSON request to a spawned Strata (supertest needs an in-process server; this needs a URL). */
export function httpCaller(baseUrl: string, defaultHeaders: Record<string, string>) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = defaultHeaders): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}
