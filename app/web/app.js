// whosaid explorer: a hash-routed page over the JSON API of the same server. No framework, no build step, no
// requests to any other host. Every piece of data is put in the page with textContent, never as HTML.
"use strict";

const view = document.getElementById("view");
const form = document.getElementById("search");

// ---------- small helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
  }
}

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  return response.json();
}

// Extras a page can do without (the utterance panels): any failure leaves the panel out, never the page.
async function apiOptional(path) {
  try { return await api(path); } catch (e) { console.warn(`${path}: ${e.message}`); return null; }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  return q.toString();
}

function show(...nodes) {
  view.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
  window.scrollTo(0, 0);
}

function fail(error) {
  view.replaceChildren(el("p", { class: "error", role: "alert", text: error.message }));
}

const speakerLink = (s) => s ? el("a", { href: `#/speaker/${s.id}`, class: "speaker", text: s.name })
                             : el("span", { class: "muted", text: "unattributed" });
const outletName = (o) => (o ? o.name : "unknown outlet");

// text with [start, end) spans wrapped in <mark> (spans sorted, overlaps skipped)
function marked(text, spans, makeMark = () => el("mark")) {
  const out = [];
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at || span.end > text.length || span.end <= span.start) continue;
    if (span.start > at) out.push(document.createTextNode(text.slice(at, span.start)));
    const mark = makeMark(span);
    mark.textContent = text.slice(span.start, span.end);
    out.push(mark);
    at = span.end;
  }
  out.push(document.createTextNode(text.slice(at)));
  return out;
}

function quoteCard(quote) {
  const meta = el("div", { class: "meta" },
    speakerLink(quote.speaker), quote.cue ? ` ${quote.cue} · ` : " · ",
    outletName(quote.outlet), " · ", quote.article.published || "undated", " · ",
    el("a", { href: `#/article/${quote.article.id}?quote=${quote.id}`, text: "in the article" }),
    quote.utterance_id ? [" · ", el("a", { href: `#/utterance/${quote.utterance_id}`, class: "compare",
                                           text: "compare outlets' wordings" })] : null,
    " ", el("span", { class: "kind", text: quote.kind }));
  return el("li", { class: "quote", "data-quote-id": quote.id },
    el("blockquote", {}, marked(quote.text, quote.highlight || [])), meta);
}

// quotes over time as inline SVG bars (one bar per publication date)
function chart(counts) {
  const NS = "http://www.w3.org/2000/svg";
  const bar = 28, gap = 10, height = 120, top = 16, bottom = 30;
  const max = Math.max(1, ...counts.map((c) => c.count));
  const width = Math.max(200, counts.length * (bar + gap) + gap);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height + top + bottom);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "quotes per publication date");
  counts.forEach((c, i) => {
    const h = Math.round((c.count / max) * height);
    const x = gap + i * (bar + gap);
    const rect = document.createElementNS(NS, "rect");
    Object.entries({ x, y: top + height - h, width: bar, height: h }).forEach(([k, v]) => rect.setAttribute(k, v));
    const title = document.createElementNS(NS, "title");
    title.textContent = `${c.value}: ${c.count} quotes`;
    rect.append(title);
    const label = document.createElementNS(NS, "text");
    Object.entries({ x: x + bar / 2, y: top + height + 14, "text-anchor": "middle" })
      .forEach(([k, v]) => label.setAttribute(k, v));
    label.textContent = String(c.value).slice(5);  // MM-DD; the full date is in the bar's title
    const value = document.createElementNS(NS, "text");
    Object.entries({ x: x + bar / 2, y: top + height - h - 3, "text-anchor": "middle" })
      .forEach(([k, v]) => value.setAttribute(k, v));
    value.textContent = String(c.count);
    svg.append(rect, label, value);
  });
  return svg;
}

function utterancePanel(utterances, heading) {
  const several = (utterances ? utterances.items : []).filter((u) => u.n_outlets >= 2);
  if (!several.length) return null;
  return el("section", { class: "panel utterances" }, el("h2", { text: heading }),
    el("ol", {}, several.map((u) => el("li", {},
      el("a", { href: `#/utterance/${u.id}`, class: "utterance-link", "data-outlets": u.n_outlets },
         `${u.n_outlets} outlets`), ": ", u.canonical_text))));
}

// ---------- views ----------

async function searchView(params) {
  for (const name of ["speaker", "outlet", "q"]) form.elements[name].value = params.get(name) || "";
  const filters = { speaker: params.get("speaker"), outlet: params.get("outlet"), q: params.get("q") };
  if (!filters.speaker && !filters.outlet && !filters.q) return homeView();
  const qs = query(filters);
  const page = await api(`/quotes?${query({ ...filters, limit: 25, facets: "speaker,outlet" })}`);
  // statements of the speaker searched for (by entity id, whatever name was typed) that several outlets quoted
  const speakerId = filters.speaker && page.facets.speaker.length ? page.facets.speaker[0].value : null;
  const utterances = speakerId === null ? null
    : await apiOptional(`/utterances?${query({ speaker: speakerId, sort: "-outlets", limit: 8 })}`);
  const list = el("ol", { class: "quotes", id: "results" }, page.items.map(quoteCard));
  const more = el("button", { class: "more", type: "button", text: "More quotes" });
  let next = page.next;
  more.hidden = !next;
  more.addEventListener("click", async () => {
    try {
      const following = await api(next);
      list.append(...following.items.map(quoteCard));
      next = following.next;
      more.hidden = !next;
    } catch (e) { fail(e); }
  });
  const chips = (facet, param) => el("div", { class: "chips" }, (page.facets[facet] || []).map((f) =>
    el("a", { class: "chip", href: `#/search?${query({ ...filters, [param]: String(f.value) })}` },
       `${f.label} (${f.count})`)));
  show(
    el("div", { class: "summary" },
      el("h1", { text: `${page.total} quote${page.total === 1 ? "" : "s"}` }),
      el("a", { href: `/quotes?${qs}&format=csv`, download: "quotes.csv", text: "CSV" }),
      el("a", { href: `/quotes?${qs}&format=ndjson`, download: "quotes.ndjson", text: "NDJSON" })),
    page.facets.speaker.length > 1 ? chips("speaker", "speaker") : null,
    chips("outlet", "outlet"),
    utterancePanel(utterances, "Statements quoted by several outlets"),
    list, more);
}

async function homeView() {
  const [outlets, speakers] = await Promise.all([api("/outlets?limit=50"),
                                                 api("/quotes?limit=1&facets=speaker")]);
  show(
    el("h1", { text: "Explore who said what" }),
    el("p", { class: "muted", text: "Search by speaker, outlet or words; open a speaker, an article, or a statement " +
                                    "to see how each outlet worded it." }),
    el("h2", { text: "Most quoted" }),
    el("div", { class: "chips" }, speakers.facets.speaker.slice(0, 12).map((s) =>
      el("a", { class: "chip", href: `#/speaker/${s.value}` }, `${s.label} (${s.count})`))),
    el("h2", { text: "Outlets" }),
    el("div", { class: "chips" }, outlets.items.map((o) =>
      el("a", { class: "chip", href: `#/search?${query({ outlet: o.domain || o.name })}` },
         `${o.name} (${o.quote_count})`))));
}

async function speakerView(id) {
  const [entity, overview, quotes, utterances] = await Promise.all([
    api(`/entities/${id}`),
    api(`/quotes?${query({ speaker: id, limit: 1, facets: "outlet,published" })}`),
    api(`/quotes?${query({ speaker: id, limit: 50 })}`),
    apiOptional(`/utterances?${query({ speaker: id, sort: "-outlets", limit: 8 })}`),
  ]);
  form.elements.speaker.value = entity.name;
  form.elements.outlet.value = "";
  form.elements.q.value = "";
  show(
    el("h1", { text: entity.name }),
    el("p", { class: "muted" }, entity.kind,
       entity.role ? ` · ${entity.role}` : "", entity.affiliation ? ` · ${entity.affiliation}` : ""),
    el("p", { class: "meta", text: `Also written as: ${entity.aliases.join(", ")}` }),
    el("h2", { text: "Outlets" }),
    el("div", { class: "chips", id: "speaker-outlets" }, overview.facets.outlet.map((o) =>
      el("a", { class: "chip", href: `#/search?${query({ speaker: id, outlet: String(o.value) })}` },
         `${o.label} (${o.count})`))),
    el("h2", { text: "Quotes over time" }),
    chart(overview.facets.published),
    utterancePanel(utterances, "Statements quoted by several outlets"),
    el("h2", { text: `Quotes (${quotes.total})` }),
    el("ol", { class: "quotes" }, quotes.items.map(quoteCard)));
}

async function articleView(id, params) {
  const article = await api(`/articles/${id}`);
  const focus = Number(params.get("quote"));
  let spans = article.quotes.map((q) => ({ start: q.start, end: q.end, quote: q }));
  // nested quotes (a fragment inside a speech) cannot both be marked: the one asked for wins
  const chosen = spans.find((s) => s.quote.id === focus);
  if (chosen) spans = spans.filter((s) => s === chosen || s.end <= chosen.start || s.start >= chosen.end);
  const text = el("div", { class: "article-text" }, marked(article.text, spans, (span) => el("mark", {
    class: `q kind-${span.quote.kind}${span.quote.id === focus ? " focus" : ""}`, id: `q-${span.quote.id}`,
    title: `${span.quote.speaker ? span.quote.speaker.name : "unattributed"} (${span.quote.kind})`,
  })));
  show(
    el("h1", { text: article.title || "Untitled article" }),
    el("p", { class: "muted" }, outletName(article.outlet), " · ", article.published || "undated", " · ",
       `${article.quotes.length} quotes`),
    el("p", { class: "legend meta" }, "Quotes are marked in the text; hover one for its speaker."),
    text);
  const target = document.getElementById(`q-${focus}`);
  if (target) target.scrollIntoView({ block: "center" });
}

// A wording's diff against the canonical text as nodes: equal words plain, <ins> added, <del> left out. Words
// the outlet did not quote at the start or end (a partial quote) are an ellipsis, not a deletion.
function diffNodes(variant) {
  const ops = variant.diff && variant.diff.length ? variant.diff : [{ op: "equal", canonical: "", variant: variant.text }];
  const nodes = [];
  let text = "";  // the words so far, to know whether a space is needed before the next ones
  const add = (node, words) => {
    if (text && !/\s$/.test(text) && !/^[\s,.;:!?’”)\]]/.test(words)) nodes.push(document.createTextNode(" "));
    nodes.push(node);
    text += words;
  };
  ops.forEach((d, i) => {
    const edge = i === 0 || i === ops.length - 1;
    if (d.op === "equal") add(document.createTextNode(d.variant || d.canonical), d.variant || d.canonical);
    else if (d.op === "insert") add(el("ins", { text: d.variant }), d.variant);
    else if (d.op === "delete" && edge) add(el("span", { class: "omitted", title: d.canonical, text: "…" }), "…");
    else if (d.op === "delete") add(el("del", { text: d.canonical }), d.canonical);
    else { add(el("del", { text: d.canonical }), d.canonical); add(el("ins", { text: d.variant }), d.variant); }
  });
  return nodes;
}

// one column per outlet (and wording): the variant's text with its differences from the canonical text marked
function wording(variant, occurrence) {
  return el("article", { class: "wording", "data-outlet": outletName(occurrence.outlet) },
    el("h3", { text: outletName(occurrence.outlet) }),
    el("p", {}, diffNodes(variant)),
    el("div", { class: "meta" }, occurrence.published || "undated", " · ",
       el("a", { href: `#/article/${occurrence.article_id}?quote=${occurrence.quote_id}`,
                 text: occurrence.article_title || "article" })));
}

async function utteranceView(id) {
  const utterance = await api(`/utterances/${id}`);
  const columns = [];
  for (const variant of utterance.variants) {
    const seen = new Set();
    for (const occurrence of variant.occurrences) {
      const key = occurrence.outlet ? occurrence.outlet.id : `article-${occurrence.article_id}`;
      if (seen.has(key)) continue;  // the same outlet repeating the same wording: one column
      seen.add(key);
      columns.push(wording(variant, occurrence));
    }
  }
  show(
    el("h1", {}, "Statement by ", speakerLink(utterance.speaker)),
    el("p", { class: "canonical", text: utterance.canonical_text }),
    el("p", { class: "muted" }, `Quoted ${utterance.n_quotes} times by ${utterance.n_outlets} outlets; ` +
       `first seen ${utterance.first_seen && utterance.first_seen.published || "undated"}.`),
    el("p", { class: "legend meta" }, "Differences from the text above: ", el("ins", { text: "added" }), " ",
       el("del", { text: "left out" }), " … not quoted (hover for the words)"),
    el("div", { class: "columns", id: "wordings" }, columns));
}

// ---------- routing ----------

async function route() {
  const [path, rawQuery] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(rawQuery || "");
  const parts = path.split("/").filter(Boolean);
  view.setAttribute("aria-busy", "true");
  try {
    if (parts[0] === "speaker" && parts[1]) await speakerView(parts[1]);
    else if (parts[0] === "article" && parts[1]) await articleView(parts[1], params);
    else if (parts[0] === "utterance" && parts[1]) await utteranceView(parts[1]);
    else await searchView(params);
  } catch (error) {
    fail(error);
  } finally {
    view.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form).entries());
  const target = `#/search?${query(data)}`;
  if (location.hash === target) route(); else location.hash = target;
});

async function loadOutlets() {
  const select = form.elements.outlet;
  try {
    const outlets = await api("/outlets?limit=200");
    for (const o of outlets.items) select.append(el("option", { value: o.domain || o.name, text: o.name }));
  } catch (_) { /* the search still works with "any outlet" */ }
}

window.addEventListener("hashchange", route);
loadOutlets().then(route);
