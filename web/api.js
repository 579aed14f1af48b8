// The JSON API client: same-origin cookie session, CSRF header on every change.
// Every request goes through send(), the one place a refused answer becomes an ApiError.
let csrf = '';
export function setCsrf(token) { csrf = token || ''; }

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

// fetch() with the session cookie and no cache. A non-2xx answer throws an ApiError with
// the server's { error: { code, message } }, or `http_<status>` and `<refused> (<status>)`
// where the answer carries none.
async function send(path, init = {}, refused = 'request failed') {
  const res = await fetch(path, { ...init, credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) {
    const err = (await res.json().catch(() => null))?.error;
    throw new ApiError(res.status, err?.code || `http_${res.status}`, err?.message || `${refused} (${res.status})`);
  }
  return res;
}

// A JSON call: the body is sent as JSON unless opts.contentType names another type;
// answers the parsed JSON (null for an answer without JSON).
export async function api(method, path, body, opts = {}) {
  const headers = {};
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body !== undefined) {
    if (opts.contentType) { headers['Content-Type'] = opts.contentType; payload = body; }
    else { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  }
  const res = await send(path, { method, headers, body: payload });
  const type = res.headers.get('Content-Type') || '';
  return type.includes('application/json') ? res.json().catch(() => null) : null;
}

// A read's image fetched with the same purpose and case as the search, as a blob: URL.
export async function fetchImageUrl(id, kind, why) {
  const q = new URLSearchParams({ kind, purpose: why.purpose, case: why.case });
  const res = await send(`/api/v1/reads/${id}/image?${q}`, {}, 'image refused');
  return URL.createObjectURL(await res.blob());
}

// A text answer (e.g. a breach notice as text/plain).
export async function apiText(path) {
  return (await send(path)).text();
}
