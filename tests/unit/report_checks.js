// Checks run by headless Chromium on a built report, inside an <iframe> of
// a given width (test_report_browser.py writes the page that holds them).
// Each returns a list of problems, as strings; none is good.

function luminance(rgb) {
  const c = rgb.map(v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const probe = document.createElement("canvas").getContext("2d");

function parseColour(value) {
  // [r, g, b, alpha] of any CSS colour, or null for none/transparent
  if (!value || value === "none" || value === "transparent") return null;
  probe.fillStyle = "#000";
  probe.fillStyle = value;
  const v = probe.fillStyle;
  if (v.startsWith("#")) return [1, 3, 5].map(i => parseInt(v.slice(i, i + 2), 16)).concat([1]);
  // color-mix() computes to color(srgb r g b [/ alpha]), channels 0..1
  const srgb = v.match(/^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.e-]+))?\)$/);
  if (srgb) return srgb.slice(1, 4).map(x => Math.round(255 * Number(x))).concat([srgb[4] === undefined ? 1 : Number(srgb[4])]);
  const m = v.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const p = m[1].split(",").map(Number);
  return p.length === 4 ? p : p.concat([1]);
}

function htmlBackground(el) {
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const c = parseColour(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0.5) return c;
  }
  return [255, 255, 255, 1];
}

function label(el) {
  return (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
}

function describe(el) {
  const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls;
}

function widest(win) {
  // The element reaching furthest right that the page itself must scroll
  // to show (one inside a box that clips or scrolls sideways does not count),
  // with its ancestors: what to fix when the page is too wide.
  const clips = el => { for (let e = el.parentElement; e && e !== win.document.documentElement; e = e.parentElement) {
    if (win.getComputedStyle(e).overflowX !== "visible") return true; } return false; };
  let found = null, right = -Infinity;
  for (const el of win.document.body.querySelectorAll("*")) {
    if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
    const r = el.getBoundingClientRect().right;
    if (r > right + 0.5 && !clips(el)) { found = el; right = r; }
  }
  if (!found) return "";
  const path = [];
  for (let e = found; e && e !== win.document.body; e = e.parentElement) path.unshift(describe(e));
  return `: widest ${path.join(" > ")} (right edge ${Math.round(right)}px, "${label(found).slice(0, 40)}")`;
}

function checkOverflow(win) {
  const doc = win.document;
  const width = doc.documentElement.scrollWidth;
  return width > win.innerWidth + 1 ? [`page is ${width}px wide in a ${win.innerWidth}px window${widest(win)}`] : [];
}

function checkHtmlContrast(win) {
  const problems = [];
  const doc = win.document;
  for (const el of doc.body.querySelectorAll("*")) {
    if (el.closest("svg") || el.tagName === "STYLE") continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = win.getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0") continue;
    const fg = parseColour(style.color);
    const ratio = contrast(fg, htmlBackground(el));
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)} for "${label(el)}"`);
  }
  return problems;
}

function inside(inner, outer, slack) {
  return inner.x >= outer.x - slack && inner.y >= outer.y - slack &&
    inner.x + inner.width <= outer.x + outer.width + slack &&
    inner.y + inner.height <= outer.y + outer.height + slack;
}

function union(boxes) {
  const x = Math.min(...boxes.map(b => b.x)), y = Math.min(...boxes.map(b => b.y));
  const r = Math.max(...boxes.map(b => b.x + b.width)), t = Math.max(...boxes.map(b => b.y + b.height));
  return {x: x, y: y, width: r - x, height: t - y};
}

function contains(box, x, y) {
  return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height;
}

function checkGraphvizSvg(win, svg) {
  // Every label stays inside its node's (or cluster's) box, and its text
  // contrasts with the shape drawn under it.
  const problems = [];
  for (const g of svg.querySelectorAll("g.node, g.cluster")) {
    const shapes = Array.from(g.querySelectorAll("polygon, path, ellipse"));
    const texts = Array.from(g.querySelectorAll("text")).filter(t => t.textContent.trim());
    if (!shapes.length || !texts.length) continue;
    const outline = union(shapes.map(s => s.getBBox()));
    for (const t of texts) {
      const box = t.getBBox();
      if (g.classList.contains("node") && !inside(box, outline, 1.5)) {
        problems.push(`${svg.closest("figure").id}: "${label(t)}" overflows ${g.id}`);
      }
      if (g.classList.contains("cluster") && (box.x < outline.x - 1.5 || box.x + box.width > outline.x + outline.width + 1.5)) {
        problems.push(`${svg.closest("figure").id}: "${label(t)}" overflows ${g.id}`);
      }
      const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
      let under = [255, 255, 255, 1];
      for (const s of shapes) {
        if (s.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) {
          const fill = parseColour(s.getAttribute("fill"));
          if (fill && contains(s.getBBox(), cx, cy)) under = fill;
        }
      }
      const ratio = contrast(parseColour(t.getAttribute("fill") || "#000"), under);
      if (ratio < 4.5) problems.push(`${svg.closest("figure").id}: contrast ${ratio.toFixed(2)} for "${label(t)}"`);
    }
  }
  return problems;
}

function checkChart(win, svg) {
  // Nothing of the emotion chart is cut off by its own edges.
  const problems = [];
  const view = svg.viewBox.baseVal;
  const frame = {x: view.x, y: view.y, width: view.width, height: view.height};
  for (const t of svg.querySelectorAll("text")) {
    const b = t.getBBox();
    const m = t.getCTM(), s = svg.getCTM().inverse().multiply(m);
    const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
      .map(([x, y]) => new DOMPoint(x, y).matrixTransform(s));
    const box = union(corners.map(p => ({x: p.x, y: p.y, width: 0, height: 0})));
    if (!inside(box, frame, 1)) problems.push(`emotion chart: "${label(t)}" is cut off`);
  }
  return problems;
}

function checkSafety(win) {
  const doc = win.document;
  const problems = [];
  for (const el of doc.querySelectorAll("script, img, iframe, object, embed, marquee, link, base, form")) {
    problems.push(`unexpected <${el.tagName.toLowerCase()}>`);
  }
  for (const el of doc.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) problems.push(`event handler ${a.name} on <${el.tagName.toLowerCase()}>`);
    }
  }
  return problems;
}

function wallMetrics(win) {
  // The first picture (section.wall): whether its box scrolls sideways, and
  // the smallest text in it as rendered, in CSS px.
  const section = win.document.querySelector("section.wall");
  if (!section) return null;
  const box = section.querySelector(".scroll"), svg = section.querySelector("svg");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  let smallest = Infinity;
  for (const t of svg.querySelectorAll("text")) {
    if (!t.textContent.trim()) continue;
    const size = parseFloat(t.getAttribute("font-size") || win.getComputedStyle(t).fontSize);
    smallest = Math.min(smallest, size * scale);  // viewBox units are the text's units
  }
  return {id: section.id, scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, smallestText: smallest,
          fitted: section.querySelector(".fit-toggle").checked};
}

function stakeMetrics(win) {
  // The ranked moments of truth (an event log's table): whether its box
  // scrolls sideways.
  const box = win.document.querySelector(".stake-wrap");
  if (!box) return null;
  return {scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, rows: box.querySelectorAll("tbody tr").length};
}

function rowHeadLightness(win) {
  // the COPIS matrix's row heads' own backgrounds, lightest and darkest, beside
  // the page's (0 black .. 1 white); null without heads or when one has none of its own
  const light = c => (c[0] + c[1] + c[2]) / 765;
  const own = Array.from(win.document.querySelectorAll("table.matrix th.tp"))
    .map(th => parseColour(getComputedStyle(th).backgroundColor));
  if (!own.length || own.some(c => !c || c[3] < 0.5)) return null;
  return {lightest: Math.max(...own.map(light)), darkest: Math.min(...own.map(light)),
          page: light(htmlBackground(win.document.body))};
}

function checkReport(win) {
  const doc = win.document;
  let problems = checkOverflow(win).concat(checkHtmlContrast(win), checkSafety(win));
  for (const svg of doc.querySelectorAll("figure svg")) {
    problems = problems.concat(svg.classList.contains("emotion-chart") ? checkChart(win, svg) : checkGraphvizSvg(win, svg));
  }
  const sections = Array.from(doc.querySelectorAll("section")).filter(s => s.getBoundingClientRect().height > 0);
  return {problems: problems, sections: sections.length, width: win.innerWidth, wall: wallMetrics(win),
          dark: win.matchMedia("(prefers-color-scheme: dark)").matches, rowHeads: rowHeadLightness(win),
          stake: stakeMetrics(win)};
}
