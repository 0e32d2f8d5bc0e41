// The message finder: a message by id, by key, or by store time and tag (GET /admin/messages), where it is
// for each group of its topic, and what happened to it. The search lives in the hash
// (#/messages?topic=...&id=...): a link from a dead letter, a peeked message or an audit record runs it, and
// a search can be shared as a link.
import {ApiError, get} from './api.js';
import {act, append, badge, clear, field, h, note, num, panel, table, time, toast} from './ui.js';

/** A whole body is drawn up to this many characters: a browser tab is not the place for megabytes. */
const WHOLE_BODY_CHARS = 256 * 1024;
/** Results whose states (a few broker reads each) load at once; the others have a button. */
const STATES_AT_ONCE = 5;
const KEY_LIMIT = 32;
const PAGE_SIZE = 20;

/** The finder's hash for a search: {topic, id} or {topic, key, since, until} or {topic, since, until, tag}. */
export function finderHash(search) {
  const q = new URLSearchParams();
  Object.entries(search).forEach(([k, v]) => {
    if (v !== null && v !== undefined && v !== '') {
      q.set(k, v);
    }
  });
  return '#/messages?' + q;
}

/** A message id as a link that looks it up (with its states, for one broadcast clientId when given). */
export function messageLink(topic, id, clientId) {
  return h('a', {href: finderHash({topic, id, clientId}), class: 'mono small message-link',
    title: 'Find this message: where it is for each group, its body and history'}, id);
}

const pad = (n) => String(n).padStart(2, '0');

/** An ISO time as a datetime-local value in the browser's zone ('' when not a time). */
function localInput(iso) {
  const d = new Date(iso || NaN);
  return Number.isNaN(d.getTime()) ? '' : d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate())
    + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

/** A datetime-local value (the browser's zone) as ISO-8601, as the API takes it. */
function iso(local) {
  const d = new Date(local);
  return local && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
}

const when = (isoTime, fallback) => (isoTime ? time(Date.parse(isoTime)) : fallback);

const STATE_KINDS = {ACKED: 'ok', DELIVERED: 'ok', NOT_DELIVERED: '', NOT_ACKED: '', IN_RETRY: 'warn',
  REDRIVEN: 'warn', DEAD_LETTERED: 'bad', PER_CLIENT: '', FILTERED: ''};
/** States whose code reads poorly in a badge. */
const STATE_WORDS = {FILTERED: 'filtered out', PER_CLIENT: 'per client'};

export function messages(main, r) {
  const q = r.query;
  const by = q.get('id') ? 'id' : q.get('key') ? 'key' : q.get('since') ? 'time' : (q.get('by') || 'key');
  const results = h('div', {id: 'finder-results'});
  const topics = h('datalist', {id: 'finder-topics'});
  const form = h('form', {class: 'stack', id: 'finder-form', novalidate: true});
  const input = (name, props = {}) => h('input', {name, spellcheck: 'false', value: q.get(name) || '', ...props});
  const since = h('input', {name: 'since', type: 'datetime-local', step: 1,
    value: localInput(q.get('since') || (by === 'time' ? new Date(Date.now() - 3600_000).toISOString() : ''))});
  const until = h('input', {name: 'until', type: 'datetime-local', step: 1, value: localInput(q.get('until'))});
  const parts = {
    id: h('div', {class: 'fields wide', dataset: {by: 'id'}},
      field('Message id', input('id', {class: 'mono', placeholder: 'the msgId produce answered, or the offset id'}))),
    key: h('div', {class: 'fields', dataset: {by: 'key'}}, field('Key', input('key', {placeholder: 'one of its keys'}))),
    time: h('div', {class: 'fields', dataset: {by: 'time'}}, field('Tag', input('tag', {placeholder: 'any tag'}))),
  };
  const range = h('div', {class: 'fields', dataset: {by: 'key time'}},
    field('Stored since (your time zone)', since, 'empty: from the first stored (key only)'),
    field('Stored until (your time zone)', until, 'empty: now'));
  const radios = h('div', {class: 'radios', role: 'radiogroup', 'aria-label': 'Find by'},
    [['key', 'By key'], ['id', 'By message id'], ['time', 'By store time and tag']].map(([v, label]) =>
      h('label', {}, h('input', {type: 'radio', name: 'by', value: v, checked: v === by, onchange: showParts}), label)));
  const find = h('button', {type: 'submit', class: 'primary', id: 'finder-submit'}, 'Find');
  form.append(radios,
    h('div', {class: 'fields'}, field('Topic', input('topic', {list: 'finder-topics', required: true}),
      'dead letters: %DLQ%<group>'), field('clientId', input('clientId', {placeholder: 'broadcast groups only'}),
      'whose state to show in a broadcast group')),
    parts.id, parts.key, parts.time, range, h('div', {class: 'actions'}, find), topics);

  function showParts() {
    const chosen = form.elements.by.value;
    form.querySelectorAll('[data-by]').forEach((el) => {
      el.hidden = !el.dataset.by.split(' ').includes(chosen);
    });
  }

  /** The search the form describes, as the hash keeps it. */
  function search() {
    const chosen = form.elements.by.value;
    const s = {topic: form.elements.topic.value.trim(), clientId: form.elements.clientId.value.trim()};
    if (chosen === 'id') {
      s.id = form.elements.id.value.trim();
    } else {
      if (chosen === 'key') {
        s.key = form.elements.key.value.trim();
      } else {
        s.tag = form.elements.tag.value.trim();
      }
      s.since = iso(since.value);
      s.until = iso(until.value);
    }
    s.by = chosen;
    return s;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const hash = finderHash(search());
    if (location.hash === hash) {
      run(); // the same search again: no hashchange to redraw the page
    } else {
      location.hash = hash; // the page is drawn again from the hash and runs it
    }
  });

  async function run() {
    const s = Object.fromEntries(q.entries());
    const kind = s.id ? 'id' : s.key ? 'key' : s.since ? 'time' : null;
    if (!kind) {
      const missing = {id: 'a message id', key: 'a key', time: 'since when (a search by time needs a start)'}[by];
      clear(results, q.get('topic') && missing ? note('Say ' + missing + ', then Find.', 'warn')
        : h('p', {class: 'muted'}, 'Give a topic and a key, a message id, or a time range; the answer shows where '
        + 'the message is for each group of its topic, its body and its history.'));
      return;
    }
    clear(results, h('p', {class: 'muted'}, 'Looking…'));
    await act(find, async () => {
      try {
        if (kind === 'id') {
          const found = await get('/admin/messages?' + params({topic: s.topic, id: s.id, states: 'true',
            clientId: s.clientId}));
          draw(found, s, found.length + ' stored cop' + (found.length === 1 ? 'y' : 'ies') + ' with id ' + s.id, true);
        } else if (kind === 'key') {
          const found = await get('/admin/messages?' + params({topic: s.topic, key: s.key, since: s.since,
            until: s.until, limit: KEY_LIMIT}));
          draw(found, s, found.length + (found.length >= KEY_LIMIT ? ' (the first ' + KEY_LIMIT + ')' : '')
            + ' message(s) with key ' + s.key + ' in ' + s.topic, false);
        } else {
          await byTime(s, null, []);
        }
      } catch (e) {
        if (e.status === 401) {
          return;
        }
        clear(results, failed(e, s, kind));
      }
    });
  }

  async function byTime(s, cursor, shown) {
    const page = await get('/admin/messages?' + params({topic: s.topic, since: s.since, until: s.until, tag: s.tag,
      pageSize: PAGE_SIZE, cursor}));
    const all = shown.concat(page.messages);
    draw(all, s, all.length + ' message(s) stored in ' + s.topic + (s.tag ? ' with tag ' + s.tag : '')
      + ' between ' + when(s.since) + ' and ' + when(s.until, 'now') + ', newest first', false);
    if (page.cursor) {
      const older = h('button', {type: 'button', id: 'finder-older'}, 'Older messages');
      older.addEventListener('click', () => act(older, () => byTime(s, page.cursor, all)));
      results.append(h('div', {class: 'actions'}, older));
    }
  }

  function draw(found, s, title, withStates) {
    if (!found.length) {
      clear(results, nothing(s));
      return;
    }
    clear(results, h('p', {class: 'muted', id: 'finder-summary', role: 'status'}, title + '.'),
      found.map((m, i) => messageCard(m, s, withStates ? 'given' : i < STATES_AT_ONCE ? 'load' : 'button')));
  }

  clear(main, h('div', {class: 'page-head'}, h('h1', {}, 'Messages')),
    note('Finds stored messages without consuming them, and says where each is for every group of its topic as '
      + 'exactly as the broker can tell. Nothing here changes anything. A search is kept in the address: copy it '
      + 'to share it.'),
    panel(null, form), results);
  showParts();
  Promise.all([get('/admin/groups'), get('/admin/producers')]).then(([groups, producers]) => {
    const names = new Set(groups.map((g) => g.topic).concat(producers.map((p) => p.topic)));
    groups.forEach((g) => names.add('%DLQ%' + g.name));
    topics.append(...[...names].sort().map((t) => h('option', {value: t})));
  }).catch((e) => toast('bad', e.message));
  run();
  return {stop() {}};
}

function params(o) {
  const p = new URLSearchParams();
  Object.entries(o).forEach(([k, v]) => {
    if (v !== null && v !== undefined && v !== '') {
      p.set(k, v);
    }
  });
  return p.toString();
}

/** Nothing found: what was asked, and what to try. */
function nothing(s) {
  const between = ' stored between ' + when(s.since, 'the first stored message') + ' and ' + when(s.until, 'now');
  if (s.id) {
    return note(['No message with id ', h('span', {class: 'mono'}, s.id), s.topic ? ' in topic ' + s.topic : '', '.',
      h('ul', {},
        h('li', {}, 'The msgId produce answered is found only with its topic: check the topic.'),
        h('li', {}, 'A dead letter is a message of topic %DLQ%<group>; its id stays the same.'),
        h('li', {}, 'Messages older than the broker keeps them (fileReservedTime, 72 h by default) are gone.'))], 'warn');
  }
  if (s.key) {
    return note(['No message with key ', h('strong', {}, s.key), ' in topic ', s.topic, between, '.',
      h('ul', {},
        h('li', {}, 'A key matches one of the message\'s keys whole, not a part of one; spelling and case count.'),
        h('li', {}, 'Widen the time range, or clear it to search from the first stored message.'),
        h('li', {}, 'A message is found by key about a second after it is stored (the broker indexes keys then).'))],
    'warn');
  }
  return note(['No message in topic ', s.topic, s.tag ? [' with tag ', h('strong', {}, s.tag)] : '', between, '.',
    h('ul', {}, h('li', {}, 'Widen the time range (your browser\'s time zone).'),
      s.tag ? h('li', {}, 'Leave out the tag: it must equal the message\'s tag.') : null)], 'warn');
}

/** A refused or failed search: the server's message, and what to change. */
function failed(e, s, kind) {
  if (e.status === 404) {
    return nothing(s);
  }
  const field = e instanceof ApiError ? e.field : null;
  const tips = {
    topic: 'Pick a topic from the list: a topic of a registered producer or group, or %DLQ%<group> for dead letters.',
    id: 'A message id is 16 to 64 hex digits: the msgId produce answered, or the broker\'s offset id.',
    since: 'Pick a start in the date field.',
    until: 'The end must come after the start.',
  };
  return note(['The search was refused: ', e.message, '. ', tips[field] || (kind === 'id'
    ? 'Check the id and topic.' : 'Check the topic and the range.')], 'bad');
}

function fact(label, ...value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function bytes(n) {
  return num(n) + ' bytes';
}

function messageCard(m, s, statesHow) {
  const statesBox = h('div', {class: 'finder-states'});
  const historyBox = h('div', {class: 'finder-history'});
  const card = h('article', {class: 'panel message-card', dataset: {id: m.messageId}},
    h('h2', {}, 'Message ', h('span', {class: 'mono'}, m.messageId)),
    h('dl', {class: 'facts'},
      fact('Topic', h('span', {class: 'mono'}, m.topic)),
      fact('Keys', m.keys || '–'),
      fact('Tag', m.tags || '–'),
      fact('Stored', time(m.storeTimestamp)),
      fact('Born (sent)', time(m.bornTimestamp)),
      fact('Queue', m.brokerName ? m.brokerName + ' / ' : '', 'queue ', m.queueId, ', offset ', num(m.queueOffset)),
      fact('Offset id', h('span', {class: 'mono small'}, m.offsetMsgId || '–')),
      fact('Size', bytes(m.size)),
      m.reconsumeTimes ? fact('Deliveries before this copy', m.reconsumeTimes) : null),
    h('h3', {}, 'Body'), bodyView(m),
    h('h3', {}, 'Properties'), properties(m.properties),
    h('h3', {}, 'Where it is, per group'), statesBox,
    h('h3', {}, 'History'), historyBox);
  const drawStates = (states) => {
    clear(statesBox, statesTable(m, states));
    clear(historyBox, history(m, states));
  };
  clear(historyBox, history(m, null));
  const load = async () => {
    clear(statesBox, h('p', {class: 'muted'}, 'Reading where it is…'));
    try {
      const copies = await get('/admin/messages?' + params({topic: m.topic, id: m.messageId, states: 'true',
        clientId: s.clientId}));
      const same = copies.find((c) => c.offsetMsgId === m.offsetMsgId) || copies[0];
      drawStates(same?.states || []);
    } catch (e) {
      clear(statesBox, note(['Could not read where it is: ', e.message], 'bad'));
    }
  };
  if (statesHow === 'given') {
    drawStates(m.states || []);
  } else if (statesHow === 'load') {
    load();
  } else {
    const button = h('button', {type: 'button', class: 'small'}, 'Show where it is for each group');
    button.addEventListener('click', () => act(button, load));
    clear(statesBox, button);
  }
  return card;
}

function bodyView(m) {
  const box = h('div', {class: 'finder-body'});
  const show = (text) => h('pre', {class: 'body'}, text);
  const label = m.encoding === 'base64' ? h('p', {class: 'muted small'}, 'Not UTF-8 text: shown as base64.') : null;
  if (!m.truncated) {
    return append(box, label, show(m.body), h('p', {class: 'muted small'}, 'Whole body, ' + bytes(m.bodyBytes) + '.'));
  }
  const whole = h('button', {type: 'button', class: 'small', id: 'finder-whole-body'}, 'Show whole body');
  const cut = h('p', {class: 'muted small body-cut'}, 'Preview: only the start of a body of ' + bytes(m.bodyBytes)
    + '. ', whole);
  whole.addEventListener('click', () => act(whole, async () => {
    const copies = await get('/admin/messages?' + params({topic: m.topic, id: m.messageId, full: 'true'}));
    const same = copies.find((c) => c.offsetMsgId === m.offsetMsgId) || copies[0];
    const text = same.body;
    const over = text.length > WHOLE_BODY_CHARS;
    clear(box, label, show(over ? text.slice(0, WHOLE_BODY_CHARS) : text), h('p', {class: 'muted small'}, over
      ? 'Cut after ' + num(WHOLE_BODY_CHARS) + ' of ' + num(text.length) + ' characters (' + bytes(same.bodyBytes)
        + '): the whole body is in GET /admin/messages?topic=…&id=…&full=true.'
      : 'Whole body, ' + bytes(same.bodyBytes) + '.'));
  }));
  return append(box, label, show(m.body + '…'), cut);
}

function properties(props) {
  const rows = Object.entries(props || {}).sort(([a], [b]) => a.localeCompare(b));
  return table([
    {label: 'Property', cell: ([k]) => h('span', {class: 'mono small'}, k)},
    {label: 'Value', cell: ([, v]) => h('span', {class: 'mono small'}, v)},
  ], rows, 'No properties of its own.');
}

function statesTable(m, states) {
  if (!states.length) {
    return h('p', {class: 'empty'}, 'No registered consumer group reads topic ' + m.topic + '.');
  }
  return table([
    {label: 'Group', cell: (x) => [h('a', {href: '#/group/' + encodeURIComponent(x.group)}, x.group),
      x.clientId ? h('span', {class: 'muted small'}, ' (clientId ' + x.clientId + ')') : null]},
    {label: 'State', class: 'nowrap', cell: (x) => badge(STATE_WORDS[x.state] || x.state, STATE_KINDS[x.state] || '')},
    {label: 'Certainty', cell: (x) => (x.exact ? 'exact' : h('span', {class: 'muted'}, 'as far as the broker tells'))},
    {label: 'What the broker says', cell: (x) => h('span', {class: 'small'}, x.note)},
  ], states.map((x) => ({...x, __key: x.group})));
}

/** Produced (when, from which client, through which proxy), then what happened in each group, in time order. */
function history(m, states) {
  const producer = m.producerGroup ? ['producer group ', h('strong', {}, m.producerGroup)]
    : m.producers?.length ? [m.producers.length > 1 ? 'one of the producers ' : 'producer ',
      h('strong', {}, m.producers.join(', ')), h('span', {class: 'muted small'},
        ' (registered for the topic; a message does not record which producer sent it)')]
      : h('span', {class: 'muted'}, 'no producer registered for the topic now');
  const events = [];
  (states || []).forEach((x) => (x.history || []).forEach((e) => events.push({...e, group: x.group,
    clientId: x.clientId})));
  events.sort((a, b) => a.at - b.at);
  const carried = m.redriveHistory;
  return h('ol', {class: 'history'},
    h('li', {}, h('strong', {}, 'Produced'), ' ', time(m.bornTimestamp), ' by ', producer, ', from client ',
      h('span', {class: 'mono'}, m.clientIp || 'unknown'), ' through ', h('span', {class: 'mono'}, m.bornHost || '–'),
      h('span', {class: 'muted small'}, ' (the address that sent it to the broker)'), '; stored ',
      time(m.storeTimestamp), '.'),
    carried ? h('li', {}, h('strong', {}, 'Redriven ' + carried.redrives + '×'), ' (this copy says so), the last by ',
      carried.lastBy || '–', ' at ', time(carried.lastAt), '.') : null,
    events.map((e) => h('li', {}, h('strong', {}, e.event === 'REDRIVEN' ? 'Redriven' : 'Dead-lettered'), ' ',
      time(e.at), e.event === 'REDRIVEN' ? [' by ', h('strong', {}, e.by || 'unknown')] : '', ' in group ',
      h('a', {href: '#/group/' + encodeURIComponent(e.group)}, e.group), e.clientId ? ' (clientId ' + e.clientId + ')' : '',
      ' · ', h('a', {href: '#/audit?target=' + encodeURIComponent(e.group)}, 'audit'))),
    states === null ? h('li', {class: 'muted small'}, 'Dead letters and redrives show with where it is for each group.')
      : events.length ? null : h('li', {class: 'muted small'}, 'Never dead-lettered or redriven in any group.'));
}
