/* The staff console: documents, versions, hit test and insight over the admin API; text only via textContent. */
'use strict';
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (sel) => document.querySelector(sel);
  const SVG = 'http://www.w3.org/2000/svg';

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }

  function say(text, bad) {
    const s = $('#status');
    s.textContent = text;
    s.className = bad ? 'bad' : '';
  }

  async function api(method, url, body) {
    const opts = {method, headers: {}, credentials: 'same-origin'};
    if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;  // the session's CSRF token on every change
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(url, opts);
    if (resp.status === 401) {
      location.href = '/admin';  // the session ended: back to the login form
      throw new Error('登录已过期，请重新登录。');
    }
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(data.message || `请求失败（${resp.status}）`);
    return data;
  }

  function guarded(fn) {
    return (event) => {
      if (event) event.preventDefault();
      fn(event).catch((err) => say(err.message, true));
    };
  }

  // --- documents and versions ---------------------------------------------------------------------------
  async function loadDocuments() {
    const {documents} = await api('GET', '/admin/documents');
    const body = $('#doc-table tbody');
    body.replaceChildren();
    for (const d of documents) {
      const remove = el('button', {type: 'button', class: 'danger'}, '删除');
      remove.setAttribute('aria-label', `删除《${d.title || d.file}》`);
      remove.addEventListener('click', guarded(async () => {
        if (!window.confirm(`确定删除《${d.title || d.file}》吗？删除后可在“版本”中回滚恢复。`)) return;
        const r = await api('DELETE', `/admin/documents/${encodeURIComponent(d.doc_id)}?by=${encodeURIComponent('管理台')}`);
        say(`已删除，当前版本 ${r.version}`);
        await refresh();
      }));
      body.append(el('tr', {}, el('td', {}, d.title || d.file), el('td', {}, String(d.passages ?? '未索引')),
        el('td', {}, d.date || ''), el('td', {}, d.source || ''), el('td', {}, remove)));
    }
  }

  async function loadVersions() {
    const status = await api('GET', '/admin/status');
    const list = $('#version-list');
    list.replaceChildren();
    for (const v of status.versions) {
      const item = el('li', {}, el('span', {}, `${v.created.slice(0, 19).replace('T', ' ')} · ${v.documents ?? '?'} 份文档`));
      if (v.current) item.append(el('strong', {class: 'tag'}, '当前'));
      else {
        const back = el('button', {type: 'button'}, '回滚到此版本');
        back.addEventListener('click', guarded(async () => {
          if (!window.confirm(`确定回滚到 ${v.name} 吗？`)) return;
          const r = await api('POST', '/admin/rollback', {version: v.name, by: '管理台'});
          say(`已回滚，当前版本 ${r.version}`);
          await refresh();
        }));
        item.append(back);
      }
      list.append(item);
    }
  }

  async function refresh() {
    await Promise.all([loadDocuments(), loadVersions()]);
  }

  $('#upload').addEventListener('submit', guarded(async (event) => {
    const form = event.target;
    const data = new FormData(form);
    for (const key of ['title', 'date', 'source']) if (!data.get(key)) data.delete(key);
    say('正在上传并建立索引，请稍候…');
    const r = await api('POST', '/admin/documents', data);
    say(`已上传 ${r.doc_ids.length} 份文档，当前版本 ${r.version}`);
    form.reset();
    await refresh();
  }));

  // --- hit test -----------------------------------------------------------------------------------------
  $('#hit-form').addEventListener('submit', guarded(async () => {
    const out = $('#hit-result');
    out.replaceChildren(el('p', {}, '正在检索…'));
    const r = await api('POST', '/admin/hit-test', {question: $('#hit-q').value});
    const verdict = r.answer.answered ? '会回答' : `不会回答${r.reason_text ? `：${r.reason_text}` : ''}`;
    const list = el('ol', {class: 'hits'});
    for (const p of r.passages) {
      list.append(el('li', {}, el('strong', {}, `${p.score.toFixed(3)} · ${p.title}${p.section ? ' · ' + p.section : ''}`),
        el('p', {}, p.text)));
    }
    out.replaceChildren(el('p', {class: r.answer.answered ? 'good' : 'bad'}, verdict),
      el('pre', {class: 'answer'}, r.answer.answer), el('h3', {}, '检索到的段落（分数越高越相关）'), list);
  }));

  // --- insight ------------------------------------------------------------------------------------------
  function bars(target, rows, series, label, height = 180) {
    // A hand-drawn stacked bar chart: one bar a row, one colour a series; every size is an SVG attribute.
    const width = 640, pad = 24;
    const total = (r) => series.reduce((s, [key]) => s + r[key], 0);
    const max = Math.max(1, ...rows.map(total));
    const step = (width - pad) / Math.max(1, rows.length);
    const svg = document.createElementNS(SVG, 'svg');
    for (const [k, v] of Object.entries({viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-label': label})) svg.setAttribute(k, v);
    rows.forEach((r, i) => {
      let y = height;
      for (const [key, cls, name] of series) {
        const h = (r[key] / max) * (height - 10);
        if (h <= 0) continue;
        y -= h;
        const rect = document.createElementNS(SVG, 'rect');
        for (const [k, v] of Object.entries({x: pad + i * step + 1, y, width: Math.max(1, step - 2), height: h, class: cls})) rect.setAttribute(k, v);
        const tip = document.createElementNS(SVG, 'title');
        tip.textContent = `${r.label}：${name} ${r[key]}`;
        rect.append(tip);
        svg.append(rect);
      }
    });
    const axis = (text, x, y, anchor) => {
      const t = document.createElementNS(SVG, 'text');
      for (const [k, v] of Object.entries({x, y, 'text-anchor': anchor, class: 'axis'})) t.setAttribute(k, v);
      t.textContent = text;
      svg.append(t);
    };
    axis(String(max), 2, 14, 'start');
    if (rows.length) {
      axis(rows[0].label, pad, height + 16, 'start');
      axis(rows[rows.length - 1].label, width, height + 16, 'end');
    }
    const legend = el('p', {class: 'legend'});
    for (const [, cls, name] of series) legend.append(el('span', {class: `key ${cls}`}, name));
    target.replaceChildren(svg, legend);
  }

  async function loadInsight() {
    const params = new URLSearchParams();
    for (const key of ['since', 'until', 'channel']) if ($(`#${key}`).value) params.set(key, $(`#${key}`).value);
    const r = await api('GET', `/admin/insight?${params}`);
    $('#csv-link').href = `/admin/questions.csv?${params}`;
    $('#since').value = r.since;
    $('#until').value = r.until;
    $('#totals').replaceChildren(...[['提问', r.questions], ['已回答', r.answered], ['未能回答', r.refused], ['没有帮助', r.down]]
      .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
    const days = r.days.map((d) => ({...d, label: d.day.slice(5), other: d.questions - d.answered - d.refused}));
    bars($('#daily-chart'), days, [['answered', 's-answered', '已回答'], ['refused', 's-refused', '未能回答'],
      ['other', 's-other', '其他（问候、无效输入）']], '每日提问数');
    bars($('#down-chart'), days, [['down', 's-down', '没有帮助']], '每日“没有帮助”评价数', 70);
    $('#unanswered').replaceChildren(...r.unanswered.map((g) => el('li', {},
      el('strong', {}, g.question), ` × ${g.count}`,
      ...(g.examples.length ? [el('span', {class: 'examples'}, `（${g.examples.join('；')}）`)] : []))));
    if (!r.unanswered.length) $('#unanswered').append(el('li', {class: 'empty'}, '这段时间没有未能回答的问题。'));
    $('#down-list').replaceChildren(...r.down_answers.map((d) => el('li', {},
      el('strong', {}, d.question), el('blockquote', {}, d.quote || '（未回答）'),
      el('small', {}, `${new Date(d.time * 1000).toLocaleString('zh-CN')}${d.cited ? ' · ' + d.cited : ''}`))));
    if (!r.down_answers.length) $('#down-list').append(el('li', {class: 'empty'}, '这段时间没有“没有帮助”的评价。'));
    const most = Math.max(1, ...r.cited.map((c) => c.count));
    $('#cited-list').replaceChildren(...r.cited.map((c) => {
      // One small bar a document, its length the share of the most cited one's count.
      const svg = document.createElementNS(SVG, 'svg');
      for (const [k, v] of Object.entries({viewBox: '0 0 100 8', class: 'hbar', 'aria-hidden': 'true', preserveAspectRatio: 'none'})) svg.setAttribute(k, v);
      const rect = document.createElementNS(SVG, 'rect');
      for (const [k, v] of Object.entries({x: 0, y: 0, height: 8, width: (100 * c.count) / most, class: 's-answered'})) rect.setAttribute(k, v);
      svg.append(rect);
      return el('li', {}, el('span', {}, `${c.title} × ${c.count}`), svg);
    }));
    if (!r.cited.length) $('#cited-list').append(el('li', {class: 'empty'}, '这段时间没有引用。'));
  }

  $('#insight-form').addEventListener('submit', guarded(loadInsight));
  guarded(async () => {
    await refresh();
    await loadInsight();
    document.body.dataset.ready = 'true';
  })();
})();
