// Dates and times between the server (RFC 3339, UTC) and the forms (local time).

// datetime-local value (local time) -> RFC 3339 UTC without fractions; null -> now.
export function toIso(local) {
  if (local === null) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A datetime-local value `days` from now.
export function localInput(days) {
  const d = new Date(Date.now() + days * 86400000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// A date input's value `days` from now.
export function dateInput(days) { return localInput(days).slice(0, 10); }

// A server time shown in local time; '' for none.
export function when(iso) { return iso ? new Date(iso).toLocaleString() : ''; }
