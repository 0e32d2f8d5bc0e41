// The console's shell: the session, the navigation (one page per #/route), and each page's own refresh.
import {loadSession, logout} from './api.js';
import {act, clear, h, toast} from './ui.js';
import {pages} from './pages.js';

const main = document.getElementById('main');
let current = null;

/** '#/group/orders?x=1' -> {name: 'group', arg: 'orders', query: URLSearchParams} */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart] = hash.split('?');
  const [name, ...rest] = pathPart.split('/');
  return {name: name || 'overview', arg: rest.length ? decodeURIComponent(rest.join('/')) : null,
    query: new URLSearchParams(queryPart || '')};
}

async function show() {
  if (current && current.stop) {
    current.stop();
  }
  const r = route();
  const page = pages[r.name];
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.dataset.page === (r.name === 'group' ? 'overview' : r.name)) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  });
  if (!page) {
    clear(main, h('section', {class: 'panel'}, h('h1', {}, 'No such page'),
      h('p', {}, 'There is no page "', r.name, '". ', h('a', {href: '#/'}, 'Back to the overview'), '.')));
    return;
  }
  clear(main, h('p', {class: 'muted', text: 'Loading…'}));
  current = page(main, r);
  document.title = 'MQ-Proxy console: ' + (r.arg || r.name);
}

async function start() {
  let session;
  try {
    session = await loadSession();
  } catch (e) {
    if (e.status !== 401) {
      clear(main, h('p', {class: 'note bad'}, 'The console could not start: ', e.message));
    }
    return;
  }
  document.getElementById('operator').textContent = session.operator;
  document.getElementById('logout').addEventListener('click', (event) => act(event.currentTarget, async () => {
    // No page refresh may start while the session ends: it would be refused and say the session expired.
    if (current && current.stop) {
      current.stop();
    }
    try {
      await logout();
    } catch (e) {
      show(); // still logged in: the page goes on refreshing
      throw e;
    }
    location.replace('/console/login');
  }));
  window.addEventListener('hashchange', show);
  // A page's unexpected failure is shown, never left as a blank page.
  window.addEventListener('unhandledrejection', (event) => toast('bad', String(event.reason?.message || event.reason)));
  await show();
}

start();
