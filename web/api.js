// The JSON API client: same-origin cookie session, CSRF header on every change.
let csrf = '';
export function setCsrf(token) { csrf = token || ''; }

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export async function api(method, path, body, opts = {}) {
  const headers = {};
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body !== undefined) {
    if (opts.contentType) { headers['Content-Type'] = opts.contentType; payload = body; }
    else { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('application/json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: `http_${res.status}`, message: `request failed (${res.status})` };
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

// A read's image fetched with the same purpose and case as the search, as a blob: URL.
export async function fetchImageUrl(id, kind, why) {
  const q = new URLSearchParams({ kind, purpose: why.purpose, case: why.case });
  const res = await fetch(`/api/v1/reads/${id}/image?${q}`, { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data?.error?.code || 'http', data?.error?.message || `image refused (${res.status})`);
  }
  return URL.createObjectURL(await res.blob());
}

// datetime-local value (local time) -> RFC 3339 UTC without fractions; null -> now.
export function toIso(local) {
  if (local === null) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A text answer (e.g. a breach notice as text/plain); errors as api().
export async function apiText(path) {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data?.error?.code || `http_${res.status}`, data?.error?.message || `request failed (${res.status})`);
  }
  return res.text();
}
