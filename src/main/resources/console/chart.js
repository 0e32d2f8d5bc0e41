// Backlog and consume rate over the last hour, drawn as SVG by hand: one small chart does not need a
// library, and plain SVG elements keep the page within its Content-Security-Policy (no inline styles).

const NS = 'http://www.w3.org/2000/svg';
const PAD = {left: 48, right: 52, top: 26, bottom: 28};
/** Least room between two time labels, in pixels ("−50 min" is about 45 at the labels' size). */
const LABEL_ROOM = 56;

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, v);
  }
  if (text !== undefined) {
    el.textContent = text;
  }
  return el;
}

/** Round numbers for an axis from 0 to at least max. */
function ticks(max) {
  if (!(max > 0)) {
    return {top: 1, step: 0.25};
  }
  const raw = max / 4;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw);
  return {top: step * 4, step};
}

function label(n) {
  if (n >= 1e6) {
    return (n / 1e6).toFixed(n % 1e6 ? 1 : 0) + 'M';
  }
  if (n >= 1e3) {
    return (n / 1e3).toFixed(n % 1e3 ? 1 : 0) + 'k';
  }
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * Minutes the chart spans: the last hour, or less while the samples cover less (a proxy that started a
 * minute ago would otherwise draw one sliver at the right edge), in steps of 5 minutes.
 */
export function spanMinutes(samples, now) {
  if (!samples.length) {
    return 60;
  }
  const covered = (now - samples[0].at) / 60_000;
  return Math.min(60, Math.max(5, Math.ceil(covered / 5) * 5));
}

/**
 * @param samples [{at, backlog, consumeRate}] oldest first
 * @param now     the right edge (epoch ms)
 * @param width   the pixels the chart gets: drawn at that size, so its labels keep their size on a phone
 *                instead of being scaled down with the whole picture
 */
export function backlogChart(samples, now, width = 760, minutes = spanMinutes(samples, now)) {
  const W = Math.round(Math.max(300, width || 760));
  const H = Math.round(Math.min(300, Math.max(190, W * 0.3)));
  const from = now - minutes * 60_000;
  const x = (t) => PAD.left + ((t - from) / (now - from)) * (W - PAD.left - PAD.right);
  const backlogMax = ticks(Math.max(0, ...samples.map((s) => s.backlog)));
  const rates = samples.filter((s) => s.consumeRate !== null && s.consumeRate !== undefined);
  const rateMax = ticks(Math.max(0, ...rates.map((s) => s.consumeRate)));
  const yB = (v) => H - PAD.bottom - (v / backlogMax.top) * (H - PAD.top - PAD.bottom);
  const yR = (v) => H - PAD.bottom - (v / rateMax.top) * (H - PAD.top - PAD.bottom);

  const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `Backlog and consume rate, last ${minutes} minutes, ${samples.length} samples`});
  for (let i = 0; i <= 4; i++) {
    const v = backlogMax.step * i;
    const y = yB(v);
    root.append(svg('line', {x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid-line'}));
    root.append(svg('text', {x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis-label'}, label(v)));
    root.append(svg('text', {x: W - PAD.right + 6, y: y + 4, class: 'axis-label'}, label(rateMax.step * i) + '/s'));
  }
  const perMinute = (W - PAD.left - PAD.right) / minutes;
  const every = [1, 5, 10, 15, 20, 30, 60].find((n) => n * perMinute >= LABEL_ROOM) || minutes;
  for (let m = minutes % every; m <= minutes; m += every) {
    const t = from + m * 60_000;
    const text = m === minutes ? 'now' : '−' + (minutes - m) + ' min';
    root.append(svg('text', {x: x(t), y: H - 8, 'text-anchor': 'middle', class: 'axis-label'}, text));
  }
  // Above the top tick of the left axis, not beside it: the ticks take the whole left margin.
  root.append(svg('text', {x: 4, y: 12, class: 'axis-label'}, 'messages'));

  const inside = samples.filter((s) => s.at >= from);
  if (inside.length) {
    const points = inside.map((s) => `${x(s.at).toFixed(1)},${yB(s.backlog).toFixed(1)}`);
    const base = yB(0).toFixed(1);
    root.append(svg('path', {class: 'backlog-area',
      d: `M${x(inside[0].at).toFixed(1)},${base} L${points.join(' L')} L${x(inside[inside.length - 1].at).toFixed(1)},${base} Z`}));
    root.append(svg('polyline', {class: 'backlog-line', points: points.join(' ')}));
    const last = inside[inside.length - 1];
    root.append(svg('circle', {class: 'dot-backlog', cx: x(last.at), cy: yB(last.backlog), r: 3.5}));
    const rated = inside.filter((s) => s.consumeRate !== null && s.consumeRate !== undefined);
    if (rated.length) {
      root.append(svg('polyline', {class: 'rate-line',
        points: rated.map((s) => `${x(s.at).toFixed(1)},${yR(s.consumeRate).toFixed(1)}`).join(' ')}));
      const lastRate = rated[rated.length - 1];
      root.append(svg('circle', {class: 'dot-rate', cx: x(lastRate.at), cy: yR(lastRate.consumeRate), r: 3}));
    }
  }
  return root;
}
