// clsearch page: search as you type against the JSON API of `clsearch serve`.
// Plain JS, no build step, nothing from the internet. Text from records is only ever put into
// the page as text nodes (never parsed as HTML), so a name cannot inject markup.
'use strict';

const PAGE = 20;            // hits per page ("更多" loads the next page)
const DEBOUNCE_MS = 120;    // wait this long after a keystroke before asking the server
const FACETS = [            // [key, Chinese label, English title]
  ['province', '省份', 'Province'],
  ['city', '城市', 'City'],
  ['program', '项目', 'Program'],
  ['type', '类型', 'Type'],
  ['year', '年份', 'Year'],
  ['list', '名单', 'List'],
];
const FACET_SHOWN = 12;     // values shown per facet before "全部"
const CHANNEL_CLASS = {     // highlight channel -> CSS class (see the page footer legend)
  exact: 'ch-exact', pinyin: 'ch-pinyin', reading2: 'ch-pinyin',
  initials: 'ch-initials', prefix: 'ch-initials',
  homophone: 'ch-fuzzy', fuzzy: 'ch-fuzzy', typo: 'ch-fuzzy', lookalike: 'ch-fuzzy', synonym: 'ch-synonym',
};
const CHANNEL_TITLE = {
  exact: 'exact', pinyin: 'pinyin', reading2: 'another reading', initials: 'initials',
  prefix: 'prefix', homophone: 'homophone', fuzzy: 'fuzzy pinyin', typo: 'typo', lookalike: 'look-alike',
  synonym: 'synonym',
};
const FIELD_LABEL = {alias: ['别名', 'Alias'], builder: ['建设单位', 'Builder'], place: ['地区', 'Place']};

const state = {q: '', filters: {}, offset: 0, total: 0, id: null};
const el = (id) => document.getElementById(id);
let debounce = null;
let searchCtl = null;
let completeCtl = null;
let generation = 0;         // bumps on every new search; stale answers are dropped

function node(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') n.className = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}

// ---- URL <-> state --------------------------------------------------------------------------
function readUrl() {
  const p = new URLSearchParams(location.search);
  state.q = p.get('q') || '';
  state.filters = {};
  for (const [key] of FACETS) {
    const vs = p.getAll(key).filter(Boolean);
    if (vs.length) state.filters[key] = vs;
  }
  state.id = p.get('id');
}

function urlFor(withId) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  for (const [key] of FACETS) for (const v of state.filters[key] || []) p.append(key, v);
  if (withId) p.set('id', withId);
  const s = p.toString();
  return s ? '?' + s : location.pathname;
}

function saveUrl(push, withId) {
  const url = urlFor(withId);
  if (url === location.search || (url === location.pathname && !location.search)) return;
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
}

// ---- highlights -----------------------------------------------------------------------------
// Characters [start, end) of `text` that matched, each wrapped in <mark> coloured by channel.
// A span as the API gives it: [start, end, channel].
function span(s) {
  return Array.isArray(s) ? {start: s[0], end: s[1], channel: s[2]} : s;
}

function highlighted(text, spans) {
  const chan = new Array(text.length).fill(null);
  for (const s of (spans || []).map(span)) for (let i = s.start; i < s.end && i < text.length; i++) chan[i] = s.channel;
  const out = [];
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && chan[j] === chan[i]) j++;
    const part = text.slice(i, j);
    out.push(chan[i] ? node('mark', {class: CHANNEL_CLASS[chan[i]] || 'ch-exact',
                                     title: CHANNEL_TITLE[chan[i]] || chan[i]}, part) : part);
    i = j;
  }
  return out;
}

// The highlighted runs of `text` as [substring, channel] pairs.
function runs(text, spans) {
  const out = [];
  for (const s of (spans || []).map(span).sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && last.end === s.start && last.channel === s.channel) last.end = s.end;
    else out.push({start: s.start, end: s.end, channel: s.channel});
  }
  return out.map((r) => [text.slice(r.start, r.end), r.channel]);
}

// `text` with the first occurrence of each word marked (for the place line).
function markWords(text, words) {
  const spans = [];
  for (const [word, channel] of words) {
    const at = word ? text.indexOf(word) : -1;
    if (at >= 0) spans.push({start: at, end: at + word.length, channel});
  }
  return highlighted(text, spans);
}

// ---- search ---------------------------------------------------------------------------------
function apiParams(offset) {
  const p = new URLSearchParams({q: state.q, offset: String(offset), limit: String(PAGE)});
  for (const [key, vs] of Object.entries(state.filters)) for (const v of vs) p.append(key, v);
  return p;
}

function hasFilters() {
  return Object.values(state.filters).some((vs) => vs.length);
}

async function search(append) {
  if (searchCtl) searchCtl.abort();            // a newer keystroke cancels the older request
  const mine = ++generation;
  if (!append) state.offset = 0;
  if (!state.q.trim() && !hasFilters()) {
    renderEmpty();
    return;
  }
  searchCtl = new AbortController();
  document.body.classList.add('busy');
  try {
    const r = await fetch('/api/search?' + apiParams(state.offset), {signal: searchCtl.signal});
    const data = await r.json();
    if (mine !== generation) return;
    if (!r.ok) {
      showError(data.error ? data.error.message : r.statusText, !append);
      return;
    }
    renderResults(data, append);
  } catch (e) {
    if (e.name !== 'AbortError' && mine === generation) showError('无法连接服务器 (' + e.message + ')', !append);
  } finally {
    if (mine === generation) document.body.classList.remove('busy');
  }
}

async function complete() {
  if (completeCtl) completeCtl.abort();
  const list = el('complete');
  const q = state.q;
  if (!q.trim()) { list.hidden = true; return; }
  completeCtl = new AbortController();
  try {
    const r = await fetch('/api/complete?' + new URLSearchParams({q, limit: '6'}), {signal: completeCtl.signal});
    if (!r.ok || q !== state.q) return;
    const data = await r.json();
    const shown = new Set(hitIds());
    const items = (data.suggestions || []).filter((s) => s.text !== q && !(s.id && shown.has(s.id)));
    list.replaceChildren(...items.map((s) => node('li', {role: 'option'},
      node('button', {type: 'button', title: 'Search for this', onclick: () => pick(s)},
        node('span', {class: 'c-text'}, s.text),
        s.count > 1 ? node('span', {class: 'count'}, s.count) : null))));
    list.hidden = items.length === 0 || document.activeElement !== el('q');
  } catch (e) {
    if (e.name !== 'AbortError') list.hidden = true;
  }
}

function hitIds() {
  return [...document.querySelectorAll('#hits .hit')].map((li) => li.dataset.id);
}

function pick(s) {
  el('complete').hidden = true;
  if (s.kind === 'name' && s.id) {
    openRecord(s.id, true);
    return;
  }
  el('q').value = s.text;
  state.q = s.text;
  saveUrl(true);
  search(false);
}

// ---- rendering ------------------------------------------------------------------------------
function setStatus(...parts) {
  el('status').replaceChildren(...parts);
}

function renderEmpty() {
  el('hits').replaceChildren();
  el('facets').replaceChildren();
  el('more').hidden = true;
  renderFilterChips();
  setStatus(node('span', {title: 'Type a cluster name, a place, a builder, pinyin or initials'},
    '输入名称、地名、建设单位、拼音或首字母开始搜索，例如 ', node('kbd', {}, 'czgf'), '、', node('kbd', {}, '锂电'),
    '、', node('kbd', {}, 'xinyu'), '。'));
}

function showError(message, clear) {
  if (clear) {
    el('hits').replaceChildren();
    el('more').hidden = true;
  }
  setStatus(node('span', {class: 'error', title: 'Error'}, '出错了：', message));
}

function renderResults(data, append) {
  state.total = data.total;
  const hits = el('hits');
  const items = data.hits.map((h, k) => renderHit(h, data.offset + k + 1));
  if (append) hits.append(...items); else hits.replaceChildren(...items);
  const shown = data.offset + data.hits.length;
  el('more').hidden = shown >= data.total;
  state.offset = data.offset;
  if (!append) renderFacets(data.facets || {});
  renderFilterChips();

  const parts = [];
  if (data.total > 0) {
    const about = data.total_exact === false;  // the engine stopped counting early
    parts.push(node('span', {title: `${about ? 'about ' : ''}${data.total} clusters found`},
      `找到${about ? '约' : ''} ${data.total} 个产业集群`));
  } else {
    parts.push(node('span', {title: 'No cluster matches'},
      `没有找到与“${data.query}”匹配的产业集群` + (hasFilters() ? '（在所选筛选条件内）' : '')));
  }
  if (data.partial) {
    const dropped = (data.dropped || []).join('、');
    parts.push(node('span', {class: 'partial', title: 'No cluster matches all of the words; showing partial matches'},
      `没有同时匹配全部词语的产业集群` + (dropped ? `（未匹配：${dropped}）` : '') + '，以下为部分匹配。'));
  }
  if (data.suggestion) {
    parts.push(node('span', {class: 'suggest', title: 'Did you mean'}, '您是不是要找：',
      node('a', {href: '?q=' + encodeURIComponent(data.suggestion), id: 'suggestion',
                 onclick: (ev) => { ev.preventDefault(); setQuery(data.suggestion); }}, data.suggestion), '？'));
  }
  if (data.understood) {  // {text, filters, notes}: what was searched, and what each piece was read as
    const u = data.understood;
    const said = (u.notes || []).filter((n) => n.value).map((n) => `${n.text}→${n.value}`);
    parts.push(node('span', {class: 'understood', title: 'How the query was understood'}, '理解为：',
      u.text + (said.length ? `（${said.join('，')}）` : '')));
  }
  setStatus(...parts);
}

function renderHit(h, n) {
  const byField = {};
  for (const hl of h.highlights || []) (byField[hl.field] = byField[hl.field] || []).push(hl);
  const name = byField.name ? highlighted(h.name, byField.name[0].spans) : [h.name];
  const place = [h.province, h.city, h.district].filter(Boolean).join(' ');
  const meta = [place || '—', h.type, h.program, h.year].filter(Boolean).join(' · ');
  const extra = [];
  // The place field is an index-side string (province, city, short forms): show its matched
  // words where they occur in the place line instead.
  const placeWords = [];
  for (const hl of byField.place || []) placeWords.push(...runs(hl.text, hl.spans));
  for (const field of ['alias', 'builder']) {
    for (const hl of byField[field] || []) {
      const [zh, en] = FIELD_LABEL[field];
      extra.push(node('div', {class: 'extra'}, node('span', {class: 'label', title: en}, zh + '：'),
        ...highlighted(hl.text, hl.spans)));
    }
  }
  if (h.builder && !byField.builder) {
    extra.push(node('div', {class: 'extra'}, node('span', {class: 'label', title: 'Builder'}, '建设单位：'), h.builder));
  }
  return node('li', {class: 'hit', 'data-id': h.id, value: n},
    node('a', {class: 'name', href: urlFor(h.id), onclick: (ev) => { ev.preventDefault(); openRecord(h.id, true); }},
      ...name),
    node('div', {class: 'meta'}, ...markWords(meta, placeWords)),
    ...extra);
}

// {value: count} (the API's form) as [{value, count}], most frequent first.
function facetValues(counts) {
  if (!counts) return [];
  if (Array.isArray(counts)) return counts;
  return Object.entries(counts).map(([value, count]) => ({value, count}))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, 'zh'));
}

function renderFacets(facets) {
  const groups = [];
  for (const [key, zh, en] of FACETS) {
    const values = facetValues(facets[key]).filter((f) => f.value !== '(none)');  // nothing to filter on
    const active = state.filters[key] || [];
    if (!values.length && !active.length) continue;
    const shownValues = values.slice(0, FACET_SHOWN);
    for (const v of active) if (!shownValues.some((x) => x.value === v)) shownValues.push({value: v, count: 0});
    const ul = node('ul', {class: 'facet-values'}, ...shownValues.map(({value, count}) => node('li', {},
      node('button', {type: 'button', class: active.includes(value) ? 'facet on' : 'facet',
                      'aria-pressed': active.includes(value) ? 'true' : 'false', 'data-facet': key, 'data-value': value,
                      title: `${en}: ${value}`, onclick: () => toggleFilter(key, value)},
        node('span', {class: 'v'}, value), node('span', {class: 'count'}, count)))));
    if (values.length > FACET_SHOWN) {
      const rest = values.slice(FACET_SHOWN);
      ul.append(node('li', {}, node('button', {type: 'button', class: 'facet-all', title: 'Show all values',
        onclick: (ev) => { ev.target.closest('li').remove(); ul.append(...rest.map(({value, count}) => node('li', {},
          node('button', {type: 'button', class: 'facet', 'data-facet': key, 'data-value': value,
                          title: `${en}: ${value}`, onclick: () => toggleFilter(key, value)},
            node('span', {class: 'v'}, value), node('span', {class: 'count'}, count))))); }},
        `全部 ${values.length} 项`)));
    }
    groups.push(node('section', {class: 'facet-group', 'data-facet-group': key},
      node('h2', {title: en}, zh), ul));
  }
  el('facets').replaceChildren(...groups);
}

function renderFilterChips() {
  const chips = [];
  for (const [key, zh, en] of FACETS) {
    for (const v of state.filters[key] || []) {
      chips.push(node('button', {type: 'button', class: 'chip', title: `Remove filter ${en}: ${v}`,
                                 onclick: () => toggleFilter(key, v)}, `${zh}：${v} ×`));
    }
  }
  if (chips.length > 1) {
    chips.push(node('button', {type: 'button', class: 'chip clear', title: 'Clear all filters',
      onclick: () => { state.filters = {}; saveUrl(true); search(false); }}, '清除全部'));
  }
  el('filters').replaceChildren(...chips);
}

function toggleFilter(key, value) {
  const vs = state.filters[key] || [];
  state.filters[key] = vs.includes(value) ? vs.filter((v) => v !== value) : [...vs, value];
  if (!state.filters[key].length) delete state.filters[key];
  saveUrl(true);
  showList();
  search(false);
}

function setQuery(q) {
  el('q').value = q;
  state.q = q;
  saveUrl(true);
  showList();
  search(false);
}

// ---- record view ----------------------------------------------------------------------------
function showList() {
  state.id = null;
  el('detail').hidden = true;
  el('listview').hidden = false;
  el('status').hidden = false;
  el('filters').hidden = false;
}

async function openRecord(id, push) {
  state.id = id;
  if (push) saveUrl(true, id);
  el('listview').hidden = true;
  el('status').hidden = true;
  el('filters').hidden = true;
  el('detail').hidden = false;
  const box = el('record');
  box.replaceChildren(node('p', {class: 'status'}, '加载中…'));
  try {
    const r = await fetch('/api/records/' + encodeURIComponent(id));
    const data = await r.json();
    if (state.id !== id) return;
    if (!r.ok) {
      box.replaceChildren(node('p', {class: 'error'}, '出错了：', data.error ? data.error.message : r.statusText));
      return;
    }
    box.replaceChildren(...renderRecord(data));
    window.scrollTo(0, 0);
  } catch (e) {
    box.replaceChildren(node('p', {class: 'error'}, '无法连接服务器 (' + e.message + ')'));
  }
}

function row(zh, en, value) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return null;
  return [node('dt', {title: en}, zh), node('dd', {}, Array.isArray(value) ? value.join('；') : value)];
}

function renderRecord(r) {
  const builders = r.builders || (r.builder ? [r.builder] : []);
  const listTitles = r.list_titles || (r.lists || []).map((l) => (typeof l === 'string' ? l : l.title || l.key));
  const out = [
    node('h2', {class: 'record-name'}, r.name),
    node('dl', {class: 'fields'},
      row('别名', 'Aliases', r.aliases), row('简称', 'Short name', r.short_name),
      row('省份', 'Province', r.province), row('城市', 'City', r.city), row('区县', 'District', r.district),
      row('建设单位', 'Builder', builders), row('推荐单位', 'Recommended by', r.recommender),
      row('类型', 'Type', r.type), row('项目', 'Program', r.program), row('发布机构', 'Issuer', r.issuer),
      row('年份', 'Year', r.year), row('名单', 'Lists', listTitles), row('编号', 'ID', r.id)),
  ];
  const sources = r.sources || [];
  if (sources.length) {
    out.push(node('h3', {title: 'Sources: every occurrence in a source document, as written'}, `来源（${sources.length}）`),
      node('table', {class: 'sources'},
        node('thead', {}, node('tr', {},
          node('th', {title: 'Document'}, '文件'), node('th', {title: 'List'}, '名单'),
          node('th', {title: 'Line'}, '行'), node('th', {title: 'Text as written'}, '原文'))),
        node('tbody', {}, ...sources.map((s) => node('tr', {},
          node('td', {}, s.document), node('td', {}, s.list_title || s.list), node('td', {class: 'num'}, s.line),
          node('td', {}, s.text, s.role && s.role !== 'entry' ? node('span', {class: 'role'}, ` (${s.role})`) : null))))));
  }
  const related = r.related || [];
  out.push(node('h3', {title: 'The same cluster in other programs'}, `相关记录（${related.length}）`));
  if (related.length) {
    out.push(node('ul', {class: 'related'}, ...related.map((x) => node('li', {},
      node('a', {href: urlFor(x.id), class: 'related-link',
                 onclick: (ev) => { ev.preventDefault(); openRecord(x.id, true); }}, x.name || x.id),
      node('span', {class: 'meta'}, ' ' + [x.program, x.reason, x.confidence !== undefined ? `置信度 ${x.confidence}` : null]
        .filter(Boolean).join(' · '))))));
  } else {
    out.push(node('p', {class: 'meta', title: 'No related records'}, '无'));
  }
  return out;
}

// ---- wiring ---------------------------------------------------------------------------------
function onInput() {
  state.q = el('q').value;
  clearTimeout(debounce);
  debounce = setTimeout(() => {
    saveUrl(false);
    showList();
    const answered = search(false);
    const mine = generation;    // search() has counted itself in
    answered.then(() => {       // after the hits, so it can leave out names already shown;
      if (mine === generation) complete();  // not for a search a newer keystroke replaced
    });
  }, DEBOUNCE_MS);
}

function restore() {
  readUrl();
  el('q').value = state.q;
  if (state.id) {
    openRecord(state.id, false);
    search(false);
  } else {
    showList();
    search(false);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const q = el('q');
  q.addEventListener('input', onInput);
  q.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !el('complete').hidden) {  // first Escape closes the suggestions only
      ev.preventDefault();
      el('complete').hidden = true;
    }
  });
  q.addEventListener('blur', () => setTimeout(() => { el('complete').hidden = true; }, 200));
  el('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(debounce);
    el('complete').hidden = true;
    state.q = q.value;
    saveUrl(true);
    showList();
    search(false);
  });
  el('more').addEventListener('click', () => { state.offset += PAGE; search(true); });
  el('back').addEventListener('click', () => {
    saveUrl(true);
    showList();
    if (!el('hits').children.length) search(false);
  });
  el('home').addEventListener('click', (ev) => {
    ev.preventDefault();
    state.filters = {};
    setQuery('');
  });
  window.addEventListener('popstate', restore);
  if (window.matchMedia('(max-width: 640px)').matches) el('facetbox').open = false;  // phone: filters folded
  restore();
});
