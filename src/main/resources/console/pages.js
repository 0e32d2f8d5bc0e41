// The console's pages. Each takes the main element and the route, draws itself, refreshes what is live on
// its own, and returns {stop} for when the operator goes elsewhere.
import {del, get, getPage, patch, path, post, request} from './api.js';
import {backlogChart, spanMinutes} from './chart.js';
import {messageLink, messages} from './messages.js';
import {act, age, append, badge, clear, clearErrors, clock, confirmAction, field, h, note, num, panel, table, time,
  toast} from './ui.js';

/** Runs fn now and then every ms after it finished; skipped while the tab is hidden. */
function every(ms, fn) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    if (stopped) {
      return;
    }
    if (!document.hidden) {
      try {
        await fn();
      } catch (e) {
        if (e.status !== 401) {
          toast('bad', e.message);
        }
      }
    }
    if (!stopped) {
      timer = setTimeout(tick, ms);
    }
  };
  tick();
  return {stop: () => {
    stopped = true;
    clearTimeout(timer);
  }};
}

const value = (settled) => (settled.status === 'fulfilled' ? settled.value : null);
const failure = (settled, what) => (settled.status === 'rejected'
  ? note(['Could not read ', what, ': ', settled.reason.message], 'bad') : null);

function groupLink(name) {
  return h('a', {href: '#/group/' + encodeURIComponent(name)}, name);
}

function modeBadges(g) {
  return [badge(g.mode), ' ', badge(g.pop ? 'concurrent' : 'queue-held'), ' ',
    g.paused ? badge('paused', 'warn') : badge('active', 'ok')];
}

/** Why lag columns may be empty on this instance: only the collecting one has them. */
function lagNote(lag) {
  if (!lag) {
    return null;
  }
  if (!lag.enabled) {
    return note('Lag collection is off on this instance (monitor.enabled: false): no backlog figures here.', 'warn');
  }
  if (!lag.collecting) {
    return note(['This instance (', lag.instance, ') does not collect lag: another instance of the fleet does ',
      '(the one whose /metrics says mqproxy_monitor_leader 1). Open its console for backlog figures and charts.'],
    'warn');
  }
  if (!lag.at) {
    return note('Lag: waiting for the first collection (the fleet agrees on its collector first, about 10 s).');
  }
  return null;
}

// ---- overview

/** A producer's JSON Schema: where it comes from, and a button that shows it (kept open across refreshes). */
function producerSchema(x, shown) {
  if (x.schemaSource == null) {
    return h('span', {class: 'muted'}, 'none');
  }
  const pre = h('pre', {class: 'schema', hidden: !shown.has(x.name)},
    x.schema == null ? 'not usable: its sends are refused' : JSON.stringify(x.schema, null, 2));
  const button = h('button', {type: 'button', class: 'small', onclick: () => {
    pre.hidden = !pre.hidden;
    button.textContent = pre.hidden ? 'Show' : 'Hide';
    (pre.hidden ? shown.delete(x.name) : shown.add(x.name));
  }}, pre.hidden ? 'Show' : 'Hide');
  return [x.schemaSource === 'runtime' ? 'set at run time' : 'from the config file', ' ', button, pre];
}

function overview(main) {
  const shownSchemas = new Set();
  const stamp = h('span', {class: 'muted small'});
  const body = h('div');
  clear(main, h('div', {class: 'page-head'}, h('h1', {}, 'Overview'), stamp), body);
  return every(5000, async () => {
    const [groups, producers, lag, instances, firing] = await Promise.allSettled([get('/admin/groups'),
      get('/admin/producers'), get('/admin/lag'), get('/admin/instances'), get('/admin/alerts?status=firing')]);
    const g = value(groups) || [];
    const p = value(producers) || [];
    const l = value(lag);
    const lags = l?.groups || {};
    const alerts = value(firing) || [];
    const totalBacklog = Object.values(lags).reduce((sum, x) => sum + x.backlog, 0);
    const topics = new Map();
    const topic = (name) => topics.get(name) || topics.set(name, {producers: [], groups: []}).get(name);
    p.forEach((x) => topic(x.topic).producers.push(x.name));
    g.forEach((x) => topic(x.topic).groups.push(x.name));
    clear(body,
      h('div', {class: 'stats'},
        stat('Consumer groups', g.length), stat('Producers', p.length), stat('Topics in use', topics.size),
        stat('Proxy instances', (value(instances) || []).length),
        stat('Backlog (all groups)', l?.at ? num(totalBacklog) : '–'),
        stat('Alerts firing', alerts.length, alerts.length ? 'bad' : '')),
      lagNote(l), failure(lag, 'lag'),
      panel('Consumer groups', failure(groups, 'groups'), table([
        {label: 'Group', cell: (x) => groupLink(x.name)},
        // On a phone the less telling columns go first, so the backlog stays in view (issue 22).
        {label: 'Topic', class: 'hide-narrow', cell: (x) => x.topic},
        {label: 'Mode', cell: (x) => modeBadges(x)},
        {label: 'Rate limit', class: 'hide-narrow', cell: (x) => (x.rateLimit ? x.rateLimit + '/s' : 'none')},
        {label: 'Backlog', num: true, cell: (x) => num(lags[x.name]?.backlog)},
        {label: 'In flight', num: true, class: 'hide-narrow', cell: (x) => num(lags[x.name]?.inflight)},
        {label: 'Dead letters', num: true, cell: (x) => num(lags[x.name]?.deadLetters)},
        {label: 'Oldest waiting', num: true, class: 'hide-narrow',
          cell: (x) => (lags[x.name] ? age(lags[x.name].oldestAgeSeconds) : '–')},
      ], g.map((x) => ({...x, __key: x.name})), 'No consumer groups are registered.')),
      h('div', {class: 'grid'},
        panel('Alerts firing', failure(firing, 'alerts'), table([
          {label: 'Group', cell: (a) => groupLink(a.group)},
          {label: 'Rule', cell: (a) => a.rule},
          {label: 'Value', num: true, cell: (a) => num(a.value) + ' ' + a.unit},
          {label: 'Threshold', num: true, cell: (a) => num(a.threshold)},
          {label: 'Since', cell: (a) => time(a.since)},
        ], alerts, 'No alert is firing.')),
        panel('Proxy instances', failure(instances, 'instances'),
          table([{label: 'Instance (as the brokers list it)', cell: (i) => h('span', {class: 'mono'}, i)}],
            [...(value(instances) || [])].sort(), 'The brokers list no instance.'))),
      h('div', {class: 'grid'},
        panel('Producers', failure(producers, 'producers'), table([
          {label: 'Producer', cell: (x) => x.name},
          {label: 'Topic', cell: (x) => x.topic},
          {label: 'Registered in', cell: (x) => (x.runtime ? 'run time' : 'config file')},
          {label: 'Schema', cell: (x) => producerSchema(x, shownSchemas)},
        ], p, 'No producers are registered.')),
        panel('Topics in use', table([
          {label: 'Topic', cell: ([name]) => name},
          {label: 'Producers', cell: ([, t]) => t.producers.join(', ') || '–'},
          {label: 'Groups', cell: ([, t]) => t.groups.map((n, i) => [i ? ', ' : '', groupLink(n)])},
        ], [...topics.entries()].sort(), 'No topic is in use.'))));
    stamp.textContent = 'Refreshes every 5 s · last ' + clock(Date.now());
  });
}

function stat(label, value, kind = '') {
  return h('div', {class: 'stat ' + kind}, h('div', {class: 'label'}, label), h('div', {class: 'value'}, value));
}

// ---- a group

const SETTINGS = [
  ['maxPullSize', 'Pull size', 'messages per poll when the client does not say (1..128)'],
  ['consumeTimeoutSeconds', 'Consume time-out (s)', 'how long a batch is reserved when the client does not say'],
  ['minConsumeTimeoutSeconds', 'Minimum consume time-out (s)', 'the least a client may ask for'],
  ['maxConsumeTimeoutSeconds', 'Maximum consume time-out (s)', '0: one hour queue-held, 36 h concurrent'],
  ['pullTimeoutSeconds', 'Long-poll wait (s)', 'when the client does not say (0..60)'],
  ['maxRetries', 'Retries before dead letter', 'deliveries after the first'],
  ['rateLimit', 'Rate limit (messages/s)', 'for the whole group across the fleet; 0: none'],
];
// Alert thresholds of a group ([field, label, help, the alert's rule name]); the same fields as
// PUT /admin/alerts/groups/<group> and `admin alerts set -g`.
const ALERT_RULES = [
  ['backlog', 'Backlog (messages)', 'messages not yet consumed, in flight and retries included', 'backlog'],
  ['oldestAgeSeconds', 'Oldest waiting (s)', 'the oldest message waiting is older than this', 'oldestAge'],
  ['stuckSeconds', 'Stuck for (s)', 'the backlog grew and nothing was consumed for this long', 'stuck'],
  ['deadLetters', 'Dead letters', 'this many dead-lettered within the window', 'deadLetters'],
  ['deadLettersWindowSeconds', 'Dead-letter window (s)', 'the window dead letters are counted in (not a rule)', null],
];
// The layers a threshold comes from (AlertRuleBook), in an operator's words.
const ALERT_SOURCES = {
  'config': 'default', 'runtime': 'default set at run time', 'group config': 'from the config file',
  'group runtime': 'set at run time',
};
const BROADCAST_SETTINGS = [
  ['clientTtlSeconds', 'Client TTL (s)', 'an idle clientId is forgotten after this; 0: never'],
  ['maxClientIds', 'Most clientIds', 'a new one past it is refused'],
];

function group(main, r) {
  const name = r.arg;
  const state = {group: null, sources: {}, lag: null, clients: []};
  const head = h('div', {class: 'page-head'});
  const numbers = h('div', {class: 'stats'});
  const chart = h('div', {class: 'chart'});
  const chartNote = h('p', {class: 'muted small'});
  const queues = h('div');
  const clients = h('div');
  const settings = h('div');
  const reset = h('div');
  const redeliver = h('div');
  const alertRules = h('div', {id: 'alert-rules'});
  const filter = h('div', {id: 'group-filter'});
  const dlq = h('div');
  clear(main, head, numbers,
    panel('Backlog and consume rate, last hour', chart,
      h('div', {class: 'legend'}, h('span', {}, h('span', {class: 'swatch backlog'}), 'backlog (messages, left axis)'),
        h('span', {}, h('span', {class: 'swatch rate'}), 'consumed per second (right axis)')), chartNote),
    panel('Queues', queues), clients,
    h('div', {class: 'grid'}, panel('Settings', settings),
      h('div', {class: 'column'}, panel('Subscription filter', filter), panel('Reset offsets', reset),
        panel('Re-deliver a message', redeliver), panel('Alert rules', alertRules))),
    panel('Dead letters', dlq));

  async function loadGroup() {
    const detail = await get(path`/admin/groups/${name}`);
    state.group = detail.group;
    state.group.mode = String(detail.group.mode).toLowerCase();
    state.sources = detail.sources;
    state.cap = detail.consumeTimeoutCap;
    if (state.group.mode === 'broadcast') {
      state.clients = await get(path`/admin/groups/${name}/clients`).catch(() => []);
    }
    drawHead();
  }

  function drawHead() {
    const g = state.group;
    const toggle = (button) => act(button, async () => {
      await post(path`/admin/groups/${name}/${g.paused ? 'resume' : 'pause'}`);
      await loadGroup();
      drawSettings();
    }, {done: () => (state.group.paused ? 'Paused ' + name + ': its polls answer PAUSED.'
      : 'Resumed ' + name + ': its polls get messages again.')});
    const pause = h('button', {type: 'button', class: g.paused ? 'primary' : '', id: 'pause-toggle',
      onclick: async (e) => {
        const button = e.currentTarget;
        // Pausing stops every consumer of the group: asked first, as reset and redrive are. Resuming is not.
        if (!g.paused && !await confirmAction('Pause ' + name + '?', [
          h('p', {}, 'Its consumers get no messages until it is resumed: their polls answer PAUSED, on every '
            + 'instance. Messages produced meanwhile wait in the backlog; nothing is lost.'),
          h('p', {class: 'muted small'}, 'Recorded in the audit log under your name.')], 'Pause')) {
          toast('ok', 'Pause cancelled: nothing changed.');
          return;
        }
        toggle(button);
      }}, g.paused ? 'Resume' : 'Pause');
    // The state is the badge; the line under it says how it came to be, in words that cannot contradict it.
    const how = g.paused ? 'paused at run time (its polls answer PAUSED)'
      : state.sources.paused === 'runtime' ? 'active (resumed at run time)' : 'active (default: never paused)';
    clear(head, h('div', {},
      h('h1', {}, name, ' ', modeBadges(g)),
      h('p', {class: 'muted'}, 'Topic ', h('span', {class: 'mono'}, g.topic), ' · registered ',
        state.group.runtime ? 'at run time' : 'in the config file'),
      h('p', {class: 'small', id: 'group-state'}, h('strong', {}, 'State: '), how, ' · ', h('strong', {}, 'Rate limit: '),
        g.rateLimit ? g.rateLimit + ' messages/s' : 'none', ' (', source('rateLimit'), ')')),
    h('div', {class: 'actions'}, pause,
      h('a', {href: '#/audit?target=' + encodeURIComponent(name)}, 'Audit of this group')));
  }

  function source(setting) {
    const s = state.sources[setting];
    return h('span', {class: 'muted small source', title: 'where the current value comes from'},
      s === 'runtime' ? 'changed at run time' : s === 'config' ? 'from the config file' : 'default');
  }

  async function live() {
    const broadcast = state.group.mode === 'broadcast';
    const [lag, offsets, clientList] = await Promise.allSettled([get(path`/admin/groups/${name}/lag`),
      get(path`/admin/groups/${name}/queues`), broadcast ? get(path`/admin/groups/${name}/clients`) : null]);
    // A clientId that first polls while the page is open shows up with the next refresh, not only on reload.
    if (broadcast && value(clientList)) {
      state.clients = value(clientList);
    }
    const l = value(lag);
    state.lag = l;
    const latest = l?.latest;
    clear(numbers,
      stat('Backlog', latest ? num(latest.backlog) : '–'),
      stat('In flight', latest ? num(latest.inflight) : '–'),
      stat('Waiting as retries', latest ? num(latest.retryBacklog) : '–'),
      stat('Dead letters', latest ? num(latest.deadLetters) : '–', latest?.deadLetters ? 'bad' : ''),
      stat('Oldest waiting', latest ? age(latest.oldestAgeSeconds) : '–'),
      stat('Collected', l?.at ? clock(l.at) : '–'));
    if (l) {
      const samples = l.samples || [];
      const width = chart.getBoundingClientRect().width;
      clear(chart, lagNote(l), samples.length ? backlogChart(samples, Date.now(), width)
        : h('p', {class: 'empty'}, 'No samples yet: the first comes with the next collection.'));
      const span = spanMinutes(samples, Date.now());
      chartNote.textContent = (span < 60 ? 'Showing the last ' + span + ' minutes: the samples go back no further. ' : '')
        + 'Source: this proxy\'s own samples (' + samples.length + ' so far; one kept every '
        + l.spacingSeconds + ' s, lag read every ' + l.intervalSeconds + ' s), held in memory by the instance '
        + 'that collects lag: a restart starts them again. For longer history use Prometheus (docs/grafana).';
    } else {
      clear(chart, failure(lag, 'lag'));
    }
    drawQueues(value(offsets), latest, failure(offsets, 'offsets'));
  }

  function drawQueues(offsets, latest, error) {
    const lagQueues = new Map((latest?.queues || []).map((q) => [q.broker + '/' + q.queueId, q]));
    if (state.group.mode !== 'broadcast') {
      const rows = (offsets?.[''] || []).map((q) => ({...q, lag: lagQueues.get(q.brokerName + '/' + q.queueId)}));
      clear(queues, error, table([
        {label: 'Broker', cell: (q) => q.brokerName},
        {label: 'Queue', num: true, cell: (q) => q.queueId},
        {label: 'End offset', num: true, cell: (q) => num(q.maxOffset)},
        {label: 'Consumed offset', num: true, cell: (q) => num(q.consumedOffset)},
        {label: 'Backlog', num: true, cell: (q) => num(q.lag ? q.lag.backlog : Math.max(0, q.maxOffset - q.consumedOffset))},
        {label: 'In flight', num: true, cell: (q) => num(q.lag?.inflight)},
        {label: 'Oldest waiting', num: true, cell: (q) => (q.lag ? age(q.lag.oldestAgeSeconds) : '–')},
        {label: 'Last consumed', cell: (q) => time(q.lastConsumeTime)},
      ], rows, 'The group has not read any queue yet (its offsets appear with its first poll).'));
      return;
    }
    clear(queues, table([
      {label: 'Broker', cell: (q) => q.broker},
      {label: 'Queue', num: true, cell: (q) => q.queueId},
      {label: 'Backlog (all clientIds)', num: true, cell: (q) => num(q.backlog)},
      {label: 'In flight', num: true, cell: (q) => num(q.inflight)},
      {label: 'Oldest waiting', num: true, cell: (q) => age(q.oldestAgeSeconds)},
    ], latest?.queues || [], latest ? 'No clientId in the last collection: its queues show once one has polled and been collected.'
      : 'No lag collected yet.'));
    const lagClients = new Map((latest?.clients || []).map((c) => [c.clientId, c]));
    const rows = state.clients.map((c) => {
      const own = offsets?.[c.clientId] || [];
      return {...c, offsetsBacklog: own.reduce((s, q) => s + Math.max(0, q.maxOffset - q.consumedOffset), 0),
        lag: lagClients.get(c.clientId)};
    });
    clear(clients, panel('Broadcast clientIds', error, table([
      {label: 'clientId', cell: (c) => h('span', {class: 'mono'}, c.clientId)},
      {label: 'Backlog', num: true, cell: (c) => num(c.lag ? c.lag.backlog : c.offsetsBacklog)},
      {label: 'In flight', num: true, cell: (c) => num(c.lag?.inflight)},
      {label: 'Dead letters', num: true, cell: (c) => num(c.lag?.deadLetters)},
      {label: 'Oldest waiting', num: true, cell: (c) => (c.lag ? age(c.lag.oldestAgeSeconds) : '–')},
      {label: 'Last active', cell: (c) => time(c.lastActiveMillis)},
    ], rows, 'No clientId has polled this group yet.')));
  }

  function drawSettings() {
    const g = state.group;
    const list = g.mode === 'broadcast' ? SETTINGS.concat(BROADCAST_SETTINGS) : SETTINGS;
    const form = h('form', {class: 'stack', id: 'settings-form', novalidate: true});
    const inputs = list.map(([key, label, help]) => field([label, ' ', source(key)],
      h('input', {name: key, type: 'number', inputmode: 'numeric', value: String(g[key])}), help));
    if (g.mode === 'broadcast') {
      const select = h('select', {name: 'broadcastStart'},
        ['earliest', 'latest'].map((v) => h('option', {value: v, selected: String(g.broadcastStart).toLowerCase() === v}, v)));
      inputs.push(field(['New clientIds start at ', source('broadcastStart')], select));
    }
    const save = h('button', {type: 'submit', class: 'primary'}, 'Save settings');
    append(form, h('div', {class: 'fields'}, inputs), h('div', {class: 'actions'}, save,
      h('span', {class: 'muted small'}, 'Only the fields you change are sent; the server checks them all.')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const change = {};
      for (const el of form.elements) {
        if (!el.name) {
          continue;
        }
        const before = el.name === 'broadcastStart' ? String(g.broadcastStart).toLowerCase() : String(g[el.name]);
        if (el.value !== before) {
          change[el.name] = el.name === 'broadcastStart' || el.value === '' ? el.value : Number(el.value);
        }
      }
      if (!Object.keys(change).length) {
        toast('ok', 'Nothing changed.');
        return;
      }
      act(save, async () => {
        await patch(path`/admin/groups/${name}`, change);
        await loadGroup();
        drawSettings();
      }, {form, done: 'Saved: ' + Object.entries(change).map(([k, v]) => k + ' = ' + v).join(', ')});
    });
    clear(settings, form);
  }

  /**
   * The group's filter in force and where it comes from, and a form that sets or clears it at run time
   * (PATCH /admin/groups/<group> with "filter"; audited by the API, errors under the field they name).
   */
  function drawFilter() {
    const f = state.group.filter;
    const form = h('form', {class: 'stack', id: 'filter-form', novalidate: true});
    const type = h('select', {name: 'filter.type'}, ['TAG', 'SQL92'].map((v) =>
      h('option', {value: v, selected: (f ? f.type : 'TAG') === v}, v)));
    const expression = h('input', {name: 'filter.expression', class: 'mono', spellcheck: 'false',
      value: f ? f.expression : '', placeholder: 'paid || refunded, or region = \'eu\' AND amount > 100'});
    const set = h('button', {type: 'submit', class: 'primary', id: 'filter-set'}, 'Set filter');
    const drop = h('button', {type: 'button', id: 'filter-clear', disabled: !f, onclick: async () => {
      const r = await act(drop, async () => {
        await patch(path`/admin/groups/${name}`, {filter: null});
        return true;
      }, {form, done: 'Cleared the filter of ' + name + ': it takes every message of its topic again.'});
      if (r) {
        await loadGroup();
        drawFilter();
      }
    }}, 'Clear filter');
    append(form,
      h('p', {id: 'filter-in-force'}, h('strong', {}, 'In force: '),
        f ? [badge(f.type), ' ', h('code', {class: 'mono'}, f.expression)] : 'none: every message of the topic',
        ' ', source('filter')),
      h('div', {class: 'fields'}, field('Type', type, 'TAG: tags separated by ||; SQL92: a condition over properties'),
        field('Expression', expression)),
      h('p', {class: 'muted small'}, 'The broker skips the messages a filter does not take and counts them consumed '
        + 'once a poll reads past them: clearing or widening the filter later does not bring those back.'),
      h('div', {class: 'actions'}, set, drop));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {filter: {type: type.value, expression: expression.value.trim()}};
      const r = await act(set, async () => {
        await patch(path`/admin/groups/${name}`, body);
        return true;
      }, {form, done: 'Filter of ' + name + ' set: ' + body.filter.type + ' ' + body.filter.expression});
      if (r) {
        await loadGroup();
        drawFilter();
      }
    });
    clear(filter, form);
  }

  function clientSelect(withAll) {
    const options = state.clients.map((c) => h('option', {value: c.clientId}, c.clientId));
    return h('select', {name: 'clientId'}, withAll ? h('option', {value: '*'}, 'every clientId (*)') : null, options);
  }

  function drawReset() {
    const g = state.group;
    const form = h('form', {class: 'stack', id: 'reset-form', novalidate: true});
    const when = h('input', {type: 'datetime-local', name: 'to', step: 1, disabled: true});
    const radios = h('div', {class: 'radios', role: 'radiogroup', 'aria-label': 'Reset to'},
      [['earliest', 'Earliest stored message'], ['latest', 'Latest (skip the backlog)'], ['time', 'A date and time']]
        .map(([v, label], i) => h('label', {}, h('input', {type: 'radio', name: 'where', value: v, checked: i === 0,
          onchange: () => {
            when.disabled = v !== 'time';
          }}), label)));
    const button = h('button', {type: 'submit', class: 'danger', id: 'reset-button'}, 'Reset offsets…');
    append(form, radios, field('Date and time (your browser\'s time zone)', when),
      g.mode === 'broadcast' ? field('clientId', clientSelect(false)) : null,
      h('div', {class: 'actions'}, button));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const where = form.elements.where.value;
      let to = where;
      let target;
      if (where === 'time') {
        if (!when.value) {
          append(form, h('p', {class: 'field-error server', role: 'alert'}, 'to: pick a date and time'));
          return;
        }
        const at = new Date(when.value);
        to = at.toISOString();
        target = 'the first message stored at or after ' + at.toLocaleString() + ' (' + to + ')';
      }
      const clientId = g.mode === 'broadcast' ? form.elements.clientId.value : undefined;
      if (g.mode === 'broadcast' && !clientId) {
        toast('bad', 'clientId: this broadcast group has no clientId yet; each clientId has its own offsets.');
        return;
      }
      const backlog = state.lag?.latest?.backlog;
      const who = 'Group ' + name + (clientId ? ' (clientId ' + clientId + ')' : '');
      const what = where === 'earliest'
        ? who + ' will read topic ' + g.topic + ' again from the first message still stored on each queue: '
          + 'every stored message is delivered to it again.'
        : where === 'latest'
          ? who + ' will skip everything stored now' + (backlog !== undefined ? ' (a backlog of ' + num(backlog)
            + ' messages)' : '') + ': those messages are never delivered to it. Only messages produced from now on are.'
          : who + ' will read topic ' + g.topic + ' from ' + target + ': earlier messages are skipped, later ones '
            + 'delivered (again, if they were consumed).';
      const ok = await confirmAction('Reset offsets of ' + name + '?', [
        h('p', {}, what),
        h('ul', {},
          h('li', {}, 'Its pending retries are dropped.'),
          h('li', {}, 'Batches already handed out are not recalled: acking them still works; those not acked come back once more.'),
          h('li', {}, 'Waiting long polls see the new position within about two seconds, on every instance.'),
          g.pop ? null : h('li', {}, 'The queues its clients hold are released.')),
        h('p', {class: 'muted small'}, 'Recorded in the audit log under your name.')], 'Reset offsets');
      if (!ok) {
        toast('ok', 'Reset cancelled: nothing changed.');
        return;
      }
      act(button, () => post(path`/admin/groups/${name}/reset`, clientId ? {to, clientId} : {to}),
        {form, done: 'Offsets of ' + name + ' reset to ' + (where === 'time' ? to : where) + '.'})
        .then(() => live());
    });
    clear(reset, form);
  }

  function drawRedeliver() {
    const g = state.group;
    if (!g.pop) {
      clear(redeliver, note('This group is queue-held (pop: false): it reads its queues in order and nothing else, '
        + 'so single messages cannot be slipped in again. Reset its offsets to read them again.'));
      return;
    }
    const form = h('form', {class: 'stack', id: 'redeliver-form', novalidate: true});
    const button = h('button', {type: 'submit', class: 'primary'}, 'Re-deliver');
    append(form, field('Message id', h('input', {name: 'messageId', class: 'mono', spellcheck: 'false',
      placeholder: 'the msgId produce answered, or the broker\'s offset id'})),
    g.mode === 'broadcast' ? field('clientId', clientSelect(true)) : null,
    h('p', {class: 'muted small'}, 'The message comes again in retryMsgList, with its id, keys and properties.'),
    h('div', {class: 'actions'}, button));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = {messageId: form.elements.messageId.value.trim()};
      if (g.mode === 'broadcast') {
        body.clientId = form.elements.clientId.value;
      }
      act(button, () => post(path`/admin/groups/${name}/redeliver`, body),
        {form, done: (r) => 'Re-delivered ' + body.messageId + ' to ' + r.deliveredTo + ' consumer(s).'});
    });
    clear(redeliver, form);
  }

  /**
   * The group's alert thresholds in force, each with where it comes from, and a form for the group's
   * run-time entry (what `admin alerts set -g` and `clear -g` change; audited by the API).
   */
  async function drawAlertRules() {
    let view;
    let firing;
    try {
      [view, firing] = await Promise.all([get(path`/admin/alerts/groups/${name}`),
        get(path`/admin/alerts?status=firing&group=${name}`)]);
    } catch (e) {
      clear(alertRules, note(['Could not read the alert rules: ', e.message], 'bad'));
      return;
    }
    const own = (k) => view.sources[k] === 'group runtime';
    const shown = (k, v) => (k === 'deadLettersWindowSeconds' ? num(v) + ' s' : v ? num(v) : 'off');
    const form = h('form', {class: 'stack', id: 'alert-rules-form', novalidate: true});
    const set = h('button', {type: 'submit', class: 'primary'}, 'Set rules');
    const drop = h('button', {type: 'button', id: 'alert-rules-clear', disabled: !ALERT_RULES.some(([k]) => own(k)),
      onclick: async () => {
        const r = await act(drop, () => del(path`/admin/alerts/groups/${name}`), {form,
          done: 'Cleared the run-time alert rules of ' + name + ': the configuration\'s apply again.'});
        if (r) {
          drawAlertRules();
        }
      }}, 'Clear run-time rules');
    append(form, table([
      {label: 'Rule', cell: ([, label]) => label},
      {label: 'In force', num: true, cell: ([k]) => shown(k, view.rules[k])},
      {label: 'From', cell: ([k]) => h('span', {class: 'small', dataset: {rule: k}}, ALERT_SOURCES[view.sources[k]]
        || view.sources[k])},
      {label: 'Now', cell: ([, , , rule]) => (firing.some((a) => a.rule === rule) ? badge('firing', 'bad') : '')},
    ], ALERT_RULES),
    h('h3', {}, 'This group\'s run-time rules'),
    h('p', {class: 'muted small'}, 'An empty field is inherited; 0 turns a rule off. Setting replaces the whole '
      + 'run-time entry of the group, kept broker-side on every instance and recorded in the audit log.'),
    h('div', {class: 'fields'}, ALERT_RULES.map(([k, label, help]) => field(label,
      h('input', {name: k, type: 'number', min: 0, inputmode: 'numeric', value: own(k) ? String(view.rules[k]) : '',
        placeholder: 'inherit (' + shown(k, view.rules[k]) + ')'}), help))),
    h('div', {class: 'actions'}, set, drop));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {};
      ALERT_RULES.forEach(([k]) => {
        const v = form.elements[k].value.trim();
        if (v !== '') {
          body[k] = Number(v);
        }
      });
      if (!Object.keys(body).length) {
        toast('bad', 'Nothing to set: give a threshold, or clear the run-time rules.');
        return;
      }
      const r = await act(set, () => request('PUT', path`/admin/alerts/groups/${name}`, body), {form,
        done: 'Alert rules of ' + name + ' set: ' + Object.entries(body).map(([k, v]) => k + ' = ' + v).join(', ')});
      if (r) {
        drawAlertRules();
      }
    });
    clear(alertRules, form);
  }

  async function drawDlq() {
    const g = state.group;
    let clientId = null;
    if (g.mode === 'broadcast') {
      if (!state.clients.length) {
        clear(dlq, h('p', {class: 'empty'}, 'No clientId yet: dead letters are kept per clientId.'));
        return;
      }
      clientId = dlq.querySelector('select[name="clientId"]')?.value || state.clients[0].clientId;
    }
    let letters;
    try {
      letters = await get(path`/admin/groups/${name}/dlq?limit=100` + (clientId ? '&clientId=' + encodeURIComponent(clientId) : ''));
    } catch (e) {
      clear(dlq, note(['Could not read dead letters: ', e.message], 'bad'));
      return;
    }
    // Keyed by row: one id dead-lettered twice has two rows (and is redriven once, its newest copy).
    const checks = new Map();
    const rowKey = (m) => m.messageId + '@' + m.storeTimestamp;
    const selectedRows = () => [...checks.values()].filter((c) => c.checked);
    const selectedIds = () => [...new Set(selectedRows().map((c) => c.dataset.id))];
    const count = h('span', {class: 'muted small', id: 'dlq-selected-count'}, '0 selected');
    const update = () => {
      count.textContent = selectedRows().length + ' selected';
    };
    const redrive = async (button, ids) => {
      const n = ids ? ids.length : letters.length;
      const ok = await confirmAction('Redrive dead letters of ' + name + '?', [
        h('p', {}, ids ? 'The ' + n + ' selected dead letter(s) go back into consumption of ' + name + '.'
          : 'Every dead letter of ' + name + ' (' + (letters.length >= 100 ? 'at least ' : '') + n
            + ', among its newest 10,000) goes back into consumption.'),
        h('p', {}, 'Each comes again in retryMsgList with its id, keys and properties, and the group\'s whole retry '
          + 'budget again. The dead-letter topic keeps its copies (RocketMQ cannot delete a message), so a second '
          + 'redrive delivers them again: the list marks those already redriven.'),
        ids && letters.some((m) => ids.includes(m.messageId) && m.redriven)
          ? h('p', {class: 'note warn'}, 'Some selected dead letters were already redriven.') : null],
      'Redrive');
      if (!ok) {
        toast('ok', 'Redrive cancelled: nothing changed.');
        return;
      }
      const body = ids ? {messageIds: ids} : {all: true};
      if (clientId) {
        body.clientId = clientId;
      }
      const r = await act(button, () => post(path`/admin/groups/${name}/dlq/redrive`, body),
        {done: (r) => 'Redriven ' + r.redriven + ' dead letter(s) of ' + name + '.'});
      if (r) {
        drawDlq(); // the rows now say who redrove them
      }
    };
    const selectedButton = h('button', {type: 'button', id: 'redrive-selected', class: 'primary', onclick: (e) => {
        const ids = selectedIds();
        if (!ids.length) {
          toast('bad', 'Select the dead letters to redrive first.');
          return;
        }
        redrive(e.currentTarget, ids);
      }}, 'Redrive selected');
    const allButton = h('button', {type: 'button', id: 'redrive-all', disabled: !letters.length,
      onclick: (e) => redrive(e.currentTarget, null)}, 'Redrive all');
    clear(dlq,
      clientId ? field('clientId', h('select', {name: 'clientId', onchange: drawDlq},
        state.clients.map((c) => h('option', {value: c.clientId, selected: c.clientId === clientId}, c.clientId))))
        : null,
      g.pop ? null : note('Queue-held groups cannot take single messages back: reset the offsets instead.'),
      table([
        {label: '', cell: (m) => {
          if (!g.pop) {
            return null; // a queue-held group cannot take single messages back: nothing to select
          }
          const c = h('input', {type: 'checkbox', 'aria-label': 'select ' + m.messageId, onchange: update,
            dataset: {id: m.messageId}});
          checks.set(rowKey(m), c);
          return c;
        }},
        {label: 'Body (preview)', class: 'preview', cell: (m) => h('span', {class: 'mono small'}, m.preview)},
        {label: 'Message id · keys', class: 'id', cell: (m) => [messageLink(g.topic, m.messageId, clientId),
          m.keys ? [h('br'), h('span', {class: 'muted small'}, 'keys: ' + m.keys)] : null]},
        {label: 'Deliveries', num: true, cell: (m) => m.deliveryCount},
        {label: 'Dead-lettered', cell: (m) => time(m.storeTimestamp)},
        {label: 'Redriven', cell: (m) => [
          m.redriven ? h('span', {class: 'small redriven'}, 'redriven by ' + m.redriven.operator + ' at ')
            : null, m.redriven ? time(m.redriven.at) : null,
          m.redrives ? [m.redriven ? h('br') : null, h('span', {class: 'muted small'}, 'redriven ' + m.redrives
            + '× before, last by ' + m.lastRedrive.operator + ' at '), time(m.lastRedrive.at)] : null,
          !m.redriven && !m.redrives ? h('span', {class: 'muted small'}, '–') : null]},
      ], letters, 'No dead letters.'),
      // Queue-held groups get no redrive buttons: they could not use them (the note above says what to do).
      h('div', {class: 'actions'}, g.pop ? [selectedButton, allButton, count] : null,
        h('button', {type: 'button', class: 'small', onclick: drawDlq}, 'Refresh')),
      g.pop ? selectionRedrive(clientId) : null);
  }

  /** Redrive by key, tag, text or store time: preview (a dry run), confirm, then progress until done. */
  function selectionRedrive(clientId) {
    const form = h('form', {class: 'stack', id: 'redrive-selection', novalidate: true});
    const result = h('div', {class: 'redrive-result'});
    const input = (n, placeholder) => h('input', {name: n, spellcheck: 'false', placeholder});
    const preview = h('button', {type: 'submit', class: 'primary'}, 'Preview');
    append(form, h('h3', {}, 'Redrive by selection'),
      field('Key', input('key', 'one of the message keys')), field('Tag', input('tag', 'the tag')),
      field('Body contains', input('text', 'text in the body')),
      field('Stored since', input('since', 'ISO time or epoch ms')),
      field('Stored until', input('until', 'ISO time or epoch ms')),
      field('Rate (messages/s)', h('input', {name: 'ratePerSecond', type: 'number', min: 1, placeholder: 'no limit'}),
        'so a large redrive does not flatten the consumers'),
      h('div', {class: 'actions'}, preview), result);
    const selection = () => {
      const body = {};
      ['key', 'tag', 'text', 'since', 'until'].forEach((k) => {
        const v = form.elements[k].value.trim();
        if (v) {
          body[k] = v;
        }
      });
      if (clientId) {
        body.clientId = clientId;
      }
      return body;
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = selection();
      const r = await act(preview, () => post(path`/admin/groups/${name}/dlq/redrive`, {...body, dryRun: true}),
        {form});
      if (!r) {
        return;
      }
      const go = h('button', {type: 'button', id: 'redrive-selection-go', class: 'primary', disabled: !r.selected,
        onclick: async (ev) => {
          const ok = await confirmAction('Redrive ' + r.selected + ' dead letter(s) of ' + name + '?',
            h('p', {}, 'They go back into consumption in the background'
              + (form.elements.ratePerSecond.value ? ', at ' + form.elements.ratePerSecond.value + ' a second' : '')
              + '.'), 'Redrive');
          if (!ok) {
            toast('ok', 'Redrive cancelled: nothing changed.');
            return;
          }
          const rate = form.elements.ratePerSecond.value.trim();
          const job = await act(ev.currentTarget, () => post(path`/admin/groups/${name}/dlq/redrive`,
            rate ? {...body, ratePerSecond: Number(rate)} : body), {form});
          if (job) {
            progress(job);
          }
        }}, 'Redrive ' + r.selected);
      clear(result, h('p', {class: 'small', id: 'redrive-preview'}, r.selected + ' selected'
        + (r.complete ? '' : ' among the newest ' + r.scanned) + (r.first.length ? '; the first:' : '.')),
      r.first.length ? h('ul', {class: 'small mono'}, r.first.map((m) => h('li', {}, m.messageId + ' · '
        + m.preview.slice(0, 60) + (m.redriven ? ' (already redriven by ' + m.redriven.operator + ')' : ''))))
        : null, h('div', {class: 'actions'}, go));
    });
    const progress = async (job) => {
      const line = h('p', {class: 'small', id: 'redrive-progress', role: 'status'});
      clear(result, line);
      for (let p = job; ; ) {
        line.textContent = 'Redrive ' + p.id + ': ' + p.state + ', ' + p.redriven + ' of ' + p.selected
          + ' redriven' + (p.failed ? ', ' + p.failed + ' failed' : '') + '.';
        if (p.state !== 'running') {
          drawDlq();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
        try {
          p = await get(path`/admin/groups/${name}/dlq/redrives/${job.id}`);
        } catch (e) {
          line.textContent = 'Could not read the progress: ' + e.message;
          return;
        }
      }
    };
    return form;
  }

  const started = loadGroup().then(() => {
    drawSettings();
    drawFilter();
    drawReset();
    drawRedeliver();
    drawAlertRules();
    drawDlq();
  }).catch((e) => {
    clear(main, h('section', {class: 'panel'}, h('h1', {}, name),
      note(['Could not open this group: ', e.message], 'bad'), h('a', {href: '#/'}, 'Back to the overview')));
    throw e;
  });
  let refresher = null;
  started.then(() => {
    refresher = every(5000, live);
  }, () => {});
  return {stop: () => refresher && refresher.stop()};
}

// ---- registry

function registry(main) {
  const lists = h('div');
  let known = {groups: [], producers: []};
  const topicList = h('datalist', {id: 'known-topics'});

  async function load() {
    const [groups, producers] = await Promise.all([get('/admin/groups'), get('/admin/producers')]);
    known = {groups, producers};
    clear(topicList, [...new Set(groups.map((g) => g.topic).concat(producers.map((p) => p.topic)))].sort()
      .map((t) => h('option', {value: t})));
    clear(lists, h('div', {class: 'grid'},
      panel('Producers', table([
        {label: 'Producer', cell: (p) => p.name},
        {label: 'Topic', cell: (p) => p.topic},
        {label: '', cell: (p) => (p.runtime ? h('button', {type: 'button', class: 'small', onclick: (e) =>
          unregister(e.currentTarget, 'producer', p.name)}, 'Unregister') : h('span', {class: 'muted small'}, 'config file'))},
      ], producers, 'No producers.')),
      panel('Consumer groups', table([
        {label: 'Group', cell: (g) => groupLink(g.name)},
        {label: 'Topic', cell: (g) => g.topic},
        {label: '', cell: (g) => (g.registeredBy === 'runtime' ? h('button', {type: 'button', class: 'small',
          onclick: (e) => unregister(e.currentTarget, 'group', g.name)}, 'Unregister')
          : h('span', {class: 'muted small'}, 'config file'))},
      ], groups, 'No groups.'))));
  }

  async function unregister(button, kind, name) {
    const ok = await confirmAction('Unregister ' + kind + ' ' + name + '?', h('p', {}, kind === 'group'
      ? 'The proxy stops serving group ' + name + ' on every instance within a second. Its broker data (offsets, '
        + 'retries, dead letters) stays: registering it again picks up where it was.'
      : 'Produce requests naming ' + name + ' are refused from now on, on every instance within a second.'),
    'Unregister');
    if (!ok) {
      return;
    }
    await act(button, () => del(kind === 'group' ? path`/admin/groups/${name}` : path`/admin/producers/${name}`),
      {done: 'Unregistered ' + kind + ' ' + name + '.'});
    await load();
  }

  function form(id, title, fields, submitLabel, send, done) {
    const f = h('form', {class: 'stack', id, novalidate: true});
    const button = h('button', {type: 'submit', class: 'primary'}, submitLabel);
    append(f, h('div', {class: 'fields'}, fields), h('div', {class: 'actions'}, button));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {};
      for (const el of f.elements) {
        if (el.name && el.value !== '') {
          body[el.name] = el.type === 'number' ? Number(el.value) : el.value;
        }
      }
      const result = await act(button, () => send(body), {form: f, done});
      if (result !== undefined) {
        f.reset();
        await load();
      }
    });
    return panel(title, f);
  }

  clear(main, h('div', {class: 'page-head'}, h('h1', {}, 'Registry')),
    note('Changes here are kept broker-side, hold on every instance within about a second and after restarts, '
      + 'and are recorded in the audit log. Entries of the configuration file can be changed but not removed here.'),
    topicList,
    h('div', {class: 'grid'},
      form('topic-form', 'Create a topic', [
        field('Name', h('input', {name: 'name', required: true, spellcheck: 'false'}), 'letters, digits, - _ |'),
        field('Queues', h('input', {name: 'queues', type: 'number', min: 1, max: 1024, placeholder: 'default'})),
      ], 'Create topic', (b) => post('/admin/topics', b),
      (r) => (r.created ? 'Created topic ' + r.topic + ' with ' + r.queues + ' queues.' : 'Topic ' + r.topic + ' already existed.')),
      form('producer-form', 'Register a producer', [
        field('Name', h('input', {name: 'name', required: true, spellcheck: 'false'})),
        field('Topic', h('input', {name: 'topic', required: true, list: 'known-topics', spellcheck: 'false'}),
          'must exist: create it first'),
      ], 'Register producer', (b) => post('/admin/producers', b), (r) => 'Registered producer ' + r.name + '.'),
      form('group-form', 'Register a consumer group', [
        field('Name', h('input', {name: 'name', required: true, spellcheck: 'false'})),
        field('Topic', h('input', {name: 'topic', required: true, list: 'known-topics', spellcheck: 'false'})),
        field('Mode', h('select', {name: 'mode'}, h('option', {value: 'clustering'}, 'clustering (share messages)'),
          h('option', {value: 'broadcast'}, 'broadcast (each clientId gets all)'))),
        field('Consumption', h('select', {name: 'pop'}, h('option', {value: 'false'}, 'queue-held, in order (pop: false)'),
          h('option', {value: 'true'}, 'concurrent (pop: true)')), 'fixed once registered'),
        field('Pull size', h('input', {name: 'maxPullSize', type: 'number', placeholder: 'default'})),
        field('Consume time-out (s)', h('input', {name: 'consumeTimeoutSeconds', type: 'number', placeholder: 'default'})),
        field('Retries before dead letter', h('input', {name: 'maxRetries', type: 'number', placeholder: 'default'})),
      ], 'Register group', (b) => post('/admin/groups', b), (r) => 'Registered group ' + r.name + '.')),
    lists);
  load().catch((e) => lists.append(note(['Could not read the registry: ', e.message], 'bad')));
  return {stop() {}};
}

// ---- alerts

function alerts(main) {
  const body = h('div');
  const stamp = h('span', {class: 'muted small'});
  clear(main, h('div', {class: 'page-head'}, h('h1', {}, 'Alerts'), stamp), body);
  const rulesTable = (rows) => table([
    {label: 'Group', cell: (r) => (r.group ? groupLink(r.group) : h('em', {}, 'defaults'))},
    ...['backlog', 'oldestAgeSeconds', 'stuckSeconds', 'deadLetters', 'deadLettersWindowSeconds'].map((k) => ({
      label: k, num: true, cell: (r) => [r.rules[k] ? num(r.rules[k]) : 'off', h('br'),
        h('span', {class: 'muted small'}, r.sources?.[k] || '')],
    })),
  ], rows);
  return every(10000, async () => {
    const [rules, list, monitor] = await Promise.allSettled([get('/admin/alerts/rules'), get('/admin/alerts'),
      get('/admin/monitor')]);
    const r = value(rules);
    const m = value(monitor);
    clear(body,
      m ? note(['Collected by ', m.collecting ? 'this instance' : 'another instance', ' every ', m.intervalSeconds,
        ' s; ', m.webhooks, ' webhook(s) configured', m.lastCollection ? '; last collection ' + time(Date.parse(m.lastCollection.at)) : '',
        '. A group\'s rules are set and cleared on its page; the defaults with PUT /admin/alerts/defaults '
        + '(docs/monitoring.md).']) : failure(monitor, 'the collector'),
      panel('Alerts and their last notifications', failure(list, 'alerts'), table([
        {label: 'Group', cell: (a) => groupLink(a.group)},
        {label: 'Rule', cell: (a) => a.rule},
        {label: 'State', cell: (a) => badge(a.status, a.status === 'firing' ? 'bad' : 'ok')},
        {label: 'Value', num: true, cell: (a) => num(a.value) + ' ' + a.unit},
        {label: 'Threshold', num: true, cell: (a) => num(a.threshold)},
        {label: 'Since', cell: (a) => time(a.since)},
        {label: 'Resolved', cell: (a) => time(a.resolvedAt)},
        {label: 'Notifications', cell: (a) => (a.notifications?.length ? a.notifications.map((n) => h('div', {class: 'small'},
          n.webhook, ': ', n.event, ' ', badge(n.outcome, n.outcome === 'ok' ? 'ok' : n.outcome === 'pending' ? '' : 'bad'),
          ' ×', n.attempts, n.error ? ' (' + n.error + ')' : '')) : h('span', {class: 'muted small'}, 'none sent'))},
      ], value(list) || [], 'No alert has fired.')),
      panel('Rules (threshold, and where it comes from)', failure(rules, 'rules'),
        r ? rulesTable([{group: null, ...r.defaults}].concat(Object.entries(r.groups).map(([g, v]) => ({group: g, ...v}))))
          : null));
    stamp.textContent = 'Refreshes every 10 s · last ' + clock(Date.now());
  });
}

// ---- audit

function audit(main, r) {
  const target = r.query.get('target') || '';
  const results = h('div');
  const select = h('select', {name: 'target', id: 'audit-target'}, h('option', {value: ''}, 'everything'));
  const form = h('form', {class: 'row', id: 'audit-filter'},
    field('Group, producer or topic', select),
    field('Newest', h('input', {name: 'limit', type: 'number', min: 1, max: 1000, value: '100', class: 'narrow'})),
    h('button', {type: 'submit', class: 'primary'}, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = '#/audit' + (select.value ? '?target=' + encodeURIComponent(select.value) : '');
    load();
  });
  clear(main, h('div', {class: 'page-head'}, h('h1', {}, 'Audit log')),
    note('Every change made through the control plane or this console: who, what, when, and how it ended. '
      + 'Kept in the broker (topic MQPROXY_AUDIT), newest first.'),
    panel(null, form), results);

  async function load(cursor) {
    clear(results, h('p', {class: 'muted'}, 'Loading…'));
    const limit = form.elements.limit.value || 100;
    try {
      const {result: records, page} = await getPage('/admin/audit?limit=' + encodeURIComponent(limit)
        + (select.value ? '&target=' + encodeURIComponent(select.value) : '')
        + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
      const older = page.more ? h('button', {type: 'button', id: 'audit-older'}, 'Older records') : null;
      if (older) {
        older.addEventListener('click', () => load(page.cursor));
      }
      clear(results, page.forged > 0 ? note(page.forged + ' record(s) on this page failed their MAC (not written '
        + 'by the proxy) and are not shown.', 'bad') : null, panel(records.length + ' record(s)'
        + (select.value ? ' for ' + select.value : '') + (cursor ? ' (older page)' : ''), table([
        {label: 'Time', class: 'nowrap', cell: (a) => time(a.time)},
        {label: 'Operator', cell: (a) => a.operator},
        {label: 'Action', class: 'nowrap', cell: (a) => h('strong', {}, a.action)},
        {label: 'Target', cell: (a) => [a.target, a.clientId ? ' (clientId ' + a.clientId + ')' : '']},
        {label: 'Change', class: 'change', cell: (a) => [changes(a), auditedMessages(a, topicOf)]},
        {label: 'Result', class: 'result', cell: (a) => {
          // "refused: <why>": the verdict as a badge, the reason as text that wraps inside the column.
          const [verdict, ...why] = String(a.result).split(': ');
          return [badge(verdict, a.result === 'ok' ? 'ok' : 'bad'), why.length ? h('div', {class: 'small'}, why.join(': '))
            : null];
        }},
        {label: 'Details', cell: (a) => h('details', {}, h('summary', {}, 'before / after'),
          h('div', {class: 'small muted'}, 'request ', a.requestId, ' on ', a.instance),
          h('pre', {}, 'before: ' + JSON.stringify(a.before ?? null, null, 1)),
          h('pre', {}, 'after: ' + JSON.stringify(a.after ?? null, null, 1)))},
      ], records, 'No record.')), older);
    } catch (e) {
      clear(results, note(['Could not read the audit log: ', e.message], 'bad'));
    }
  }

  const topicOf = new Map();
  Promise.all([get('/admin/groups'), get('/admin/producers')]).then(([groups, producers]) => {
    groups.concat(producers).forEach((x) => topicOf.set(x.name, x.topic));
    const names = [...new Set(groups.map((g) => g.name).concat(producers.map((p) => p.name), target ? [target] : []))].sort();
    select.append(...names.map((n) => h('option', {value: n, selected: n === target}, n)));
  }).catch((e) => toast('bad', e.message)).finally(() => load());
  return {stop() {}};
}

/**
 * The messages a record names, as links to the finder: a test message's id, and the dead letters a redrive
 * sent back ("id@storeTime" entries; the first few, the group's topic known from the registry).
 */
function auditedMessages(record, topicOf) {
  const after = record.after;
  if (record.action === 'test-message' && after?.msgId) {
    return [h('br'), 'message ', messageLink(after.messageQueue?.topic || topicOf.get(record.target), after.msgId)];
  }
  const entries = record.action === 'redrive' && Array.isArray(after?.messages) ? after.messages : [];
  const topic = topicOf.get(record.target);
  if (!entries.length || !topic) {
    return null;
  }
  const ids = [...new Set(entries.map((e) => String(e).split('@')[0]))];
  return [h('br'), ids.slice(0, 5).map((id, i) => [i ? ', ' : '', messageLink(topic, id, record.clientId)]),
    ids.length > 5 ? h('span', {class: 'muted small'}, ' and ' + (ids.length - 5) + ' more') : null];
}

/** What a record changed, in a line: the fields whose values differ between before and after. */
function changes(record) {
  const before = record.before;
  const after = record.after;
  // A reset records where each queue now stands, the rest a count: said in words, not as a bare number or nothing.
  if (Array.isArray(after) && after.every((q) => q && q.queueId !== undefined && q.consumedOffset !== undefined)) {
    return h('span', {class: 'small'}, 'offsets now: ' + after.map((q) => q.brokerName + '/' + q.queueId + ' @ '
      + q.consumedOffset).join(', '));
  }
  if (record.action === 'redrive' && after && typeof after === 'object' && after.redriven !== undefined) {
    return h('span', {class: 'small'}, after.state === 'running' && !after.messages ? 'redrive started'
      : after.redriven + ' message(s) redriven' + (after.failed ? ', ' + after.failed + ' failed' : ''));
  }
  if (typeof after === 'number' && (record.action === 'redeliver' || record.action === 'redrive')) {
    return h('span', {class: 'small'}, record.action === 'redeliver' ? 'delivered to ' + after + ' consumer(s)'
      : after + ' message(s) redriven');
  }
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object' || Array.isArray(after)) {
    return h('span', {class: 'muted small'}, after && typeof after !== 'object' ? String(after) : '');
  }
  // One level down too: an alert-rule change reads "rules.backlog: 0 → 3", not as two whole objects.
  const plain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const json = (v) => JSON.stringify(v ?? null);
  const diff = [];
  for (const k of Object.keys(after)) {
    const pairs = plain(before[k]) && plain(after[k])
      ? Object.keys(after[k]).map((k2) => [k + '.' + k2, before[k][k2], after[k][k2]]) : [[k, before[k], after[k]]];
    diff.push(...pairs.filter(([, b, a]) => json(b) !== json(a)));
  }
  return diff.length ? diff.map(([k, b, a], i) => [i ? h('br') : null,
    h('span', {class: 'small'}, k + ': ' + json(b) + ' → ' + json(a))])
    : h('span', {class: 'muted small'}, 'no field changed');
}

// ---- try it

function tryIt(main) {
  const receipt = h('div');
  const peeked = h('div');
  const produceForm = h('form', {class: 'stack', id: 'produce-form', novalidate: true});
  const peekForm = h('form', {class: 'stack', id: 'peek-form', novalidate: true});
  const producerSelect = h('select', {name: 'producer'});
  const groupSelect = h('select', {name: 'group'});
  const clientInput = h('input', {name: 'clientId', spellcheck: 'false', placeholder: 'broadcast groups only'});
  let groups = [];
  const send = h('button', {type: 'submit', class: 'primary'}, 'Send test message');
  append(produceForm, field('Producer', producerSelect),
    field('Message', h('textarea', {name: 'message', placeholder: '{"hello": "from the console"}'})),
    h('div', {class: 'fields'}, field('Keys', h('input', {name: 'keys'})), field('Tags', h('input', {name: 'tags'}))),
    h('div', {class: 'actions'}, send), receipt);
  produceForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {message: produceForm.elements.message.value};
    for (const k of ['keys', 'tags']) {
      if (produceForm.elements[k].value) {
        body[k] = produceForm.elements[k].value;
      }
    }
    const r = await act(send, () => post(path`/admin/producers/${producerSelect.value}/test-message`, body),
      {form: produceForm, done: 'Test message stored.'});
    if (r) {
      clear(receipt, table([
        {label: 'msgId', class: 'id', cell: (x) => h('span', {class: 'mono small'}, x.msgId)},
        {label: 'Status', cell: (x) => x.sendStatus},
        {label: 'Queue', cell: (x) => x.messageQueue.brokerName + ' / ' + x.messageQueue.queueId},
        {label: 'Offset', num: true, cell: (x) => x.queueOffset},
      ], [r]));
    }
  });
  const look = h('button', {type: 'submit', class: 'primary'}, 'Peek');
  append(peekForm, h('div', {class: 'fields'}, field('Group', groupSelect), field('clientId', clientInput),
    field('How many', h('input', {name: 'limit', type: 'number', min: 1, max: 32, value: '10'}))),
  h('div', {class: 'actions'}, look), peeked);
  peekForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = new URLSearchParams({limit: peekForm.elements.limit.value || '10'});
    if (clientInput.value) {
      q.set('clientId', clientInput.value);
    }
    const list = await act(look, () => get(path`/admin/groups/${groupSelect.value}/peek` + '?' + q),
      {form: peekForm, done: (l) => 'Peeked ' + l.length + ' message(s); nothing was reserved or acked.'});
    const peekedTopic = groups.find((g) => g.name === groupSelect.value)?.topic;
    if (list) {
      clear(peeked, table([
        {label: 'Message id', class: 'id', cell: (m) => messageLink(peekedTopic, m.messageId, clientInput.value)},
        {label: 'Queue / offset', cell: (m) => m.brokerName + ' / ' + m.queueId + ' @ ' + m.queueOffset},
        {label: 'Stored', cell: (m) => time(m.storeTimestamp)},
        {label: 'Keys / tags', cell: (m) => [m.keys || '–', ' / ', m.tags || '–']},
        {label: 'Body (' + 'preview)', class: 'preview', cell: (m) => h('span', {class: 'mono small'}, m.preview)},
      ], list, 'Nothing waits after the group\'s offsets.'));
    }
  });
  clear(main, h('div', {class: 'page-head'}, h('h1', {}, 'Try it ', badge('debug tools', 'warn'))),
    h('div', {class: 'debug-banner', role: 'note'}, h('strong', {}, 'Debug tools. '),
      'A test message is real: it is stored in the producer\'s topic, every group of that topic receives it, and it '
      + 'is recorded in the audit log. Peek only reads: it reserves nothing.'),
    // One above the other: the peeked messages' ids and bodies need the page's whole width.
    h('div', {class: 'column'},
      panel('Produce a test message', produceForm),
      panel('Peek at a group\'s next messages', h('p', {class: 'note'}, h('strong', {}, 'Peek does not reserve, ack '
        + 'or move anything: '), 'it reads the messages stored after the group\'s committed offset on each queue. '
        + 'Consumers are not affected, so what it shows may be delivered to them a moment later. For a concurrent '
        + '(pop) group, messages already handed out and not yet acked, and retries, are not shown; for a queue-held '
        + 'group, a batch a client holds is.'), peekForm)));
  Promise.all([get('/admin/producers'), get('/admin/groups')]).then(([producers, gs]) => {
    groups = gs;
    producerSelect.append(...producers.map((p) => h('option', {value: p.name}, p.name + ' → ' + p.topic)));
    groupSelect.append(...groups.map((g) => h('option', {value: g.name}, g.name)));
  }).catch((e) => toast('bad', e.message));
  return {stop() {}};
}

export const pages = {overview, group, registry, alerts, audit, messages, try: tryIt};
