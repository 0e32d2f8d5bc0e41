// The login page: trades the operator's token for a session cookie (HTTP-only: this script never sees it).
const form = document.getElementById('login');
const error = document.getElementById('login-error');
const button = document.getElementById('login-button');
const note = document.getElementById('login-note');

if (new URLSearchParams(location.search).has('expired')) {
  note.textContent = 'Your session ended (logged out, idle too long, or the proxy restarted): log in again.';
  note.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const token = form.elements.token.value;
  if (!token.trim()) {
    showError('Enter your operator token.');
    return;
  }
  button.disabled = true;
  button.textContent = 'Logging in…';
  try {
    const res = await fetch('/console/api/login', {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
      body: JSON.stringify({token}),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    let envelope = null;
    try {
      envelope = await res.json();
    } catch (notJson) {
      // shown below with the HTTP status
    }
    if (res.ok && envelope && envelope.status === 200) {
      // Back to the page asked for (an alert's link to a group page), not always the overview.
      location.replace('/console/' + (location.hash.startsWith('#/') ? location.hash : ''));
      return;
    }
    showError(res.status === 401 ? 'Refused: ' + (envelope?.message || 'not an operator\'s token')
      : (envelope?.message || 'The proxy answered HTTP ' + res.status));
  } catch (e) {
    showError('The proxy did not answer: ' + e.message);
  } finally {
    button.disabled = false;
    button.textContent = 'Log in';
  }
});

function showError(message) {
  error.textContent = message;
  error.hidden = false;
  form.elements.token.setAttribute('aria-invalid', 'true');
  form.elements.token.focus();
}
