// Calls to the proxy's control plane, with the session's CSRF token on every change. Every answer is an
// envelope {status, message, result}; a failure becomes an ApiError carrying the server's own message.

let session = null;
/** Set once the page is on its way to the login page, by a logout or an ended session. */
let leaving = false;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** The parameter the server named ("maxPullSize: must be 1..128"), for showing the message next to it. */
  get field() {
    const m = /^([A-Za-z][\w.\[\]-]*): /.exec(this.message);
    return m ? m[1] : null;
  }
}

/** The session: who is logged in and the CSRF token. Missing or ended: back to the login page. */
export async function loadSession() {
  session = await request('GET', '/console/api/session');
  return session;
}

export function currentSession() {
  return session;
}

export async function request(method, path, body) {
  return (await exchange(method, path, body)).result;
}

/** A paged answer: its result and where the page stands ({cursor, more, scanned, forged} for the audit log). */
export async function getPage(path) {
  const envelope = await exchange('GET', path);
  return {result: envelope.result, page: envelope.page || {}};
}

async function exchange(method, path, body) {
  const headers = {'Accept': 'application/json'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && session) {
    headers['X-CSRF-Token'] = session.csrfToken;
  }
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'the proxy did not answer (' + e.message + ')');
  }
  let envelope = null;
  try {
    envelope = await res.json();
  } catch (notJson) {
    // said below with the HTTP status
  }
  if (res.status === 401) {
    // The session ended (logout elsewhere, idle, restart): the login page says so. Only the first refusal
    // navigates: a refresh answered just after this page's own logout would otherwise override the logout's
    // navigation and greet the operator with "your session ended".
    if (!leaving) {
      leaving = true;
      location.assign('/console/login?expired=1' + (location.hash.startsWith('#/') ? location.hash : ''));
    }
    throw new ApiError(401, envelope?.message || 'session ended');
  }
  if (!res.ok || !envelope || envelope.status >= 400) {
    throw new ApiError(envelope?.status ?? res.status,
      envelope?.message || ('the proxy answered HTTP ' + res.status + ' without a message'));
  }
  return envelope;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);

export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}

/** Ends the session; a session that had already ended counts as logged out. */
export async function logout() {
  leaving = true;
  try {
    await post('/console/api/logout');
  } catch (e) {
    if (e.status !== 401) {
      leaving = false;
      throw e;
    }
  }
  session = null;
}
