// rnnlab's accessible controls: one ES module for every kind (the model's `_kind`
// picks the renderer). Native elements wherever HTML has one (range, select,
// radio, checkbox, textarea, button), so keyboard use and screen-reader names
// come from the browser; every control is named by a <label> or aria-labelledby.
// Typed text is sent to the kernel as it was typed: Python decides, and a
// rejected value comes back as `error`, shown under the control and announced.

let counter = 0;
const uid = (kind) => `rnnlab-${kind}-${Math.random().toString(36).slice(2, 8)}${(counter++).toString(36)}`;

function make(tag, props = {}, attrs = {}) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

// Common parts: the label, the error line, disabled state, focus from Python, tooltip.
function frame(model, el, kind, id, tag = "label") {
  el.classList.add("rnnlab-ctl", `rnnlab-ctl-${kind}`);
  const label = make(tag, { id: `${id}-label`, className: "rnnlab-ctl-label" });
  const error = make("div", { id: `${id}-error`, className: "rnnlab-ctl-error" }, { "aria-live": "polite" });
  const sync = () => {
    label.textContent = model.get("description");
    label.hidden = !model.get("description");
    const width = model.get("_label_width");
    label.style.width = width || "";
    label.style.flex = width ? `0 0 ${width}` : "";
    el.title = model.get("tooltip") || "";
    error.textContent = model.get("error");
  };
  model.on("change:description", sync);
  model.on("change:_label_width", sync);
  model.on("change:tooltip", sync);
  model.on("change:error", sync);
  sync();
  return { label, error };
}

function onFocusRequest(model, target) {
  const handler = (msg) => {
    if (msg && msg.do === "focus") target().focus();
    if (msg && msg.do === "blur") target().blur();
  };
  model.on("msg:custom", handler);
  return () => model.off("msg:custom", handler);
}

function markInvalid(model, inputs) {
  const sync = () => {
    const bad = Boolean(model.get("error"));
    for (const i of inputs) {
      if (bad) i.setAttribute("aria-invalid", "true");
      else i.removeAttribute("aria-invalid");
    }
  };
  model.on("change:error", sync);
  sync();
}

// A number field whose text goes to Python unchanged on Enter or when it loses focus;
// ArrowUp/ArrowDown step the value. Used alone (NumberField) and beside a slider.
function numberField(model, id, labelId, errorId, onStep) {
  const field = make("input", { type: "text", id, className: "rnnlab-ctl-field", autocomplete: "off",
    spellcheck: false, inputMode: model.get("_integer") ? "numeric" : "decimal" },
    { "aria-describedby": errorId, role: "spinbutton" });
  const show = () => {
    field.value = model.get("_readout");
    field.setAttribute("aria-valuetext", model.get("_readout"));
    const v = model.get("value");
    if (typeof v === "number") field.setAttribute("aria-valuenow", String(v));
    for (const b of ["min", "max"]) {
      const bound = model.get(`_${b}_value`);
      if (bound === null || bound === undefined) field.removeAttribute(`aria-value${b}`);
      else field.setAttribute(`aria-value${b}`, String(bound));
    }
  };
  let sent = null;
  const send = () => {
    if (field.value === model.get("_readout") || field.value === sent) return;
    sent = field.value;
    model.send({ event: "typed", text: field.value });
  };
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { sent = null; send(); e.preventDefault(); }
    else if (e.key === "Escape") { field.value = model.get("_readout"); }
    else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && onStep) {
      onStep(e.key === "ArrowUp" ? 1 : -1); e.preventDefault(); e.stopPropagation();
    }
  });
  field.addEventListener("blur", send);
  model.on("change:_readout", () => { sent = null; show(); });
  model.on("change:value", show);
  // Python answers every typed text: show the value it kept (the old one if it refused)
  const reply = (msg) => { if (msg && msg.event === "typed") { sent = null; show(); } };
  model.on("msg:custom", reply);
  show();
  return field;
}

function renderSlider(model, el) {
  const id = uid("slider");
  const { label, error } = frame(model, el, "slider", id);
  const log = model.get("_scale") === "log";
  const base = () => model.get("base");
  const toPos = (v) => (log ? Math.log(v) / Math.log(base()) : v);
  const fromPos = (p) => (log ? Math.pow(base(), p) : p);
  // the visible label names the range; the number field beside it carries the same
  // words as aria-label (axe cannot always see a label through aria-labelledby in Lab)
  label.htmlFor = `${id}-range`;
  const range = make("input", { type: "range", id: `${id}-range`, className: "rnnlab-ctl-range" },
    { "aria-describedby": error.id });
  const setRange = () => {
    range.min = String(model.get("min"));
    range.max = String(model.get("max"));
    range.step = String(model.get("step") || "any");
    range.value = String(toPos(model.get("value")));
    range.setAttribute("aria-valuetext", model.get("_readout"));
  };
  const commit = () => {
    let v = fromPos(Number(range.value));
    if (model.get("_integer")) v = Math.round(v);
    model.set("value", v);
    model.save_changes();
  };
  range.addEventListener("input", () => {
    if (model.get("continuous_update")) commit();
    else field.value = log ? Number(fromPos(Number(range.value)).toPrecision(3)).toString() : range.value;
  });
  range.addEventListener("change", commit);
  const step = (dir) => {
    const p = Math.min(Number(range.max), Math.max(Number(range.min), Number(range.value) + dir * Number(range.step || 1)));
    range.value = String(p);
    commit();
  };
  // The keys a slider answers, handled here: JupyterLab's notebook shortcuts would
  // otherwise take arrow keys away from a range input.
  const big = () => Math.max(1, Math.round((Number(range.max) - Number(range.min)) / Number(range.step || 1) / 10));
  const KEYS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: "big", PageDown: "-big",
    Home: "min", End: "max" };
  range.addEventListener("keydown", (e) => {
    const k = KEYS[e.key];
    if (k === undefined || range.disabled) return;
    e.preventDefault();
    e.stopPropagation();
    if (k === "min" || k === "max") { range.value = range[k]; commit(); }
    else step(k === "big" ? big() : k === "-big" ? -big() : k);
  });
  const field = numberField(model, `${id}-field`, label.id, error.id, step);
  const nameField = () => field.setAttribute("aria-label", model.get("description"));
  model.on("change:description", nameField);
  nameField();
  for (const name of ["min", "max", "step", "value", "_readout", "base"]) model.on(`change:${name}`, setRange);
  setRange();
  const disable = () => { range.disabled = field.disabled = model.get("disabled"); };
  model.on("change:disabled", disable);
  disable();
  markInvalid(model, [field, range]);
  const row = make("div", { className: "rnnlab-ctl-row" });
  row.append(label, range, field);
  el.append(row, error);
  return onFocusRequest(model, () => range);
}

function renderNumber(model, el) {
  const id = uid("number");
  const { label, error } = frame(model, el, "number", id);
  label.htmlFor = `${id}-field`;
  const stepBy = (dir) => model.send({ event: "step", direction: dir });
  const field = numberField(model, `${id}-field`, label.id, error.id, stepBy);
  const disable = () => { field.disabled = model.get("disabled"); };
  model.on("change:disabled", disable);
  disable();
  markInvalid(model, [field]);
  const row = make("div", { className: "rnnlab-ctl-row" });
  row.append(label, field);
  el.append(row, error);
  return onFocusRequest(model, () => field);
}

function renderDropdown(model, el) {
  const id = uid("dropdown");
  const { label, error } = frame(model, el, "dropdown", id);
  label.htmlFor = `${id}-select`;
  const select = make("select", { id: `${id}-select`, className: "rnnlab-ctl-select" });
  const fill = () => {
    select.replaceChildren(...model.get("_labels").map((text, i) => make("option", { value: String(i), textContent: text })));
    select.value = String(model.get("index"));
  };
  select.addEventListener("change", () => { model.set("index", Number(select.value)); model.save_changes(); });
  model.on("change:_labels", fill);
  model.on("change:index", () => { select.value = String(model.get("index")); });
  fill();
  const disable = () => { select.disabled = model.get("disabled"); };
  model.on("change:disabled", disable);
  disable();
  const row = make("div", { className: "rnnlab-ctl-row" });
  row.append(label, select);
  el.append(row, error);
  return onFocusRequest(model, () => select);
}

// A toggle group is a radio group: one choice of several, arrow keys move it, the
// chosen one is announced "checked"; it looks like segmented buttons, and the
// chosen button is marked by a tick and a heavier border as well as by colour.
function renderToggles(model, el) {
  const id = uid("toggles");
  // a group is named by a plain span: a <label> may only name one control
  const { label, error } = frame(model, el, "toggles", id, "span");
  const group = make("div", { className: "rnnlab-ctl-group" },
    { role: "radiogroup", "aria-labelledby": label.id, "aria-describedby": error.id });
  let inputs = [];
  const fill = () => {
    const tips = model.get("tooltips") || [];
    inputs = [];
    group.replaceChildren(...model.get("_labels").map((text, i) => {
      const item = make("label", { className: "rnnlab-ctl-choice" });
      const input = make("input", { type: "radio", name: id, value: String(i), id: `${id}-${i}` });
      input.addEventListener("change", () => { if (input.checked) { model.set("index", i); model.save_changes(); } });
      if (tips[i]) item.title = tips[i];
      // arrow keys move the choice (as native radios do, but JupyterLab takes arrow keys)
      input.addEventListener("keydown", (e) => {
        const dir = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
        if (dir === undefined) return;
        e.preventDefault();
        e.stopPropagation();
        const next = inputs[(i + dir + inputs.length) % inputs.length];
        if (next.disabled) return;
        next.checked = true;
        next.focus();
        model.set("index", inputs.indexOf(next));
        model.save_changes();
      });
      inputs.push(input);
      item.append(input, make("span", { textContent: text }));
      return item;
    }));
    check();
    disable();
  };
  const check = () => { inputs.forEach((input, i) => { input.checked = i === model.get("index"); }); };
  const disable = () => { for (const i of inputs) i.disabled = model.get("disabled"); };
  model.on("change:_labels", fill);
  model.on("change:tooltips", fill);
  model.on("change:index", check);
  model.on("change:disabled", disable);
  fill();
  const row = make("div", { className: "rnnlab-ctl-row" });
  row.append(label, group);
  el.append(row, error);
  return onFocusRequest(model, () => inputs.find((i) => i.checked) || inputs[0]);
}

function renderCheckbox(model, el) {
  const id = uid("checkbox");
  const { error } = frame(model, el, "checkbox", id);
  const item = make("label", { className: "rnnlab-ctl-check" });
  const box = make("input", { type: "checkbox", id: `${id}-box` }, { "aria-describedby": error.id });
  const text = make("span");
  const sync = () => {
    box.checked = model.get("value");
    box.disabled = model.get("disabled");
    text.textContent = model.get("description");
  };
  box.addEventListener("change", () => { model.set("value", box.checked); model.save_changes(); });
  for (const name of ["value", "disabled", "description"]) model.on(`change:${name}`, sync);
  sync();
  item.append(box, text);
  el.append(item, error);
  return onFocusRequest(model, () => box);
}

function renderTextarea(model, el) {
  const id = uid("textarea");
  const { label, error } = frame(model, el, "textarea", id);
  label.htmlFor = `${id}-text`;
  const area = make("textarea", { id: `${id}-text`, className: "rnnlab-ctl-text", spellcheck: false },
    { "aria-describedby": error.id });
  const sync = () => {
    if (area.value !== model.get("value")) area.value = model.get("value");
    area.placeholder = model.get("placeholder");
    area.rows = model.get("rows");
    area.disabled = model.get("disabled");
  };
  area.addEventListener("input", () => { model.set("value", area.value); model.save_changes(); });
  for (const name of ["value", "placeholder", "rows", "disabled"]) model.on(`change:${name}`, sync);
  sync();
  markInvalid(model, [area]);
  el.append(label, area, error);
  return onFocusRequest(model, () => area);
}

// A button that shows or hides a region: aria-expanded says which.
// The region is the next element (the Disclosure's body box): it is shown or hidden here at
// once, so a Tab pressed right after Enter already reaches what it holds (Python sets the
// same on the body's layout a moment later).
function renderDisclosure(model, el) {
  el.classList.add("rnnlab-ctl", "rnnlab-ctl-disclosure");
  const button = make("button", { type: "button", className: "rnnlab-ctl-disclosure-button" });
  const region = () => {
    const body = el.nextElementSibling;
    if (body && !body.id) body.id = uid("region");
    if (body) button.setAttribute("aria-controls", body.id);
    return body;
  };
  const sync = () => {
    const open = model.get("expanded");
    button.setAttribute("aria-expanded", String(open));
    button.textContent = `${open ? "▾" : "▸"} ${model.get("description")}`;
    button.disabled = model.get("disabled");
    const body = region();
    if (body) body.style.display = open ? "" : "none";
  };
  button.addEventListener("click", () => { model.set("expanded", !model.get("expanded")); model.save_changes(); sync(); });
  for (const name of ["expanded", "description", "disabled"]) model.on(`change:${name}`, sync);
  sync();
  el.append(button);
  return onFocusRequest(model, () => button);
}

// A status line that screen readers read out when it changes, without interrupting.
// The live region stays in the page; only its content changes (a replaced region is
// often not announced).
// With `lines` > 0 the region has a fixed height (what follows never jumps); a longer text
// scrolls inside it, and only then can Tab reach it (to scroll by keyboard).
// What screen readers hear is a visually hidden copy, a polite live region updated at most
// every ANNOUNCE_MS (a run rewrites the status several times a second: announcing each would
// drown the reader); the last text is always announced.
const ANNOUNCE_MS = 4000;
function renderStatus(model, el) {
  el.classList.add("rnnlab-ctl", "rnnlab-ctl-status");
  const region = make("div", { className: "rnnlab-ctl-status-text" });
  const live = make("div", { className: "rnnlab-ctl-sr-only" },
    { role: "status", "aria-live": "polite", "aria-atomic": "true" });
  const fit = () => {
    const lines = model.get("lines");
    region.style.height = lines > 0 ? `calc(${lines} * 1.45em + 4px)` : "";
    region.style.overflowY = lines > 0 ? "auto" : "";
    const scrolls = lines > 0 && region.scrollHeight > region.clientHeight + 1;
    if (scrolls) {
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", "status (scrolls)");
    } else {
      region.removeAttribute("tabindex");
      region.removeAttribute("aria-label");
    }
  };
  let last = 0;
  let timer = null;
  const announce = () => {
    timer = null;
    last = Date.now();
    live.textContent = region.textContent;
  };
  const sync = () => {
    region.innerHTML = model.get("value");
    fit();
    const wait = ANNOUNCE_MS - (Date.now() - last);
    if (wait <= 0) announce();
    else if (timer === null) timer = setTimeout(announce, wait);
  };
  model.on("change:value", sync);
  model.on("change:lines", fit);
  const observer = new ResizeObserver(fit);
  observer.observe(region);
  region.innerHTML = model.get("value");
  live.textContent = region.textContent;  // the first text at once
  fit();
  el.append(region, live);
  return () => { observer.disconnect(); clearTimeout(timer); };
}

// A one-line text field: the text goes to Python on Enter or blur; Python keeps or refuses it.
function renderText(model, el) {
  const id = uid("text");
  const { label, error } = frame(model, el, "text", id);
  label.htmlFor = `${id}-input`;
  const input = make("input", { type: "text", id: `${id}-input`, className: "rnnlab-ctl-line",
    autocomplete: "off", spellcheck: false }, { "aria-describedby": error.id });
  let sent = null;
  const show = () => { input.value = model.get("value"); input.placeholder = model.get("placeholder"); };
  const send = () => {
    if (input.value === model.get("value") || input.value === sent) return;
    sent = input.value;
    model.send({ event: "typed", text: input.value });
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { sent = null; send(); e.preventDefault(); }
    else if (e.key === "Escape") { show(); }
  });
  input.addEventListener("blur", send);
  model.on("change:value", () => { sent = null; show(); });
  model.on("change:placeholder", show);
  model.on("msg:custom", (msg) => { if (msg && msg.event === "typed") { sent = null; show(); } });
  show();
  const disable = () => { input.disabled = model.get("disabled"); };
  model.on("change:disabled", disable);
  disable();
  markInvalid(model, [input]);
  const row = make("div", { className: "rnnlab-ctl-row" });
  row.append(label, input);
  el.append(row, error);
  return onFocusRequest(model, () => input);
}

// A button. `pressed` (true/false) makes it a toggle button (aria-pressed). When it is disabled
// while it has the focus (Train at the start of a run), the browser would drop the focus to
// the page: the kernel is asked where it should go instead (Stop, say); without an answer the
// button takes it back when it is enabled again, if nobody has moved it meanwhile.
function renderButton(model, el) {
  el.classList.add("rnnlab-ctl", "rnnlab-ctl-button");
  const button = make("button", { type: "button", className: "rnnlab-ctl-btn" });
  const icon = make("i", {}, { "aria-hidden": "true" });
  const text = make("span");
  button.append(icon, text);
  let lostTo = null;  // where the focus fell when this button was disabled with it
  const sync = () => {
    text.textContent = model.get("description");
    const name = model.get("icon");
    icon.className = name ? `fa fa-${name} rnnlab-ctl-icon` : "";
    icon.hidden = !name;
    button.dataset.style = model.get("button_style") || "";
    const pressed = model.get("pressed");
    if (pressed === null || pressed === undefined) button.removeAttribute("aria-pressed");
    else button.setAttribute("aria-pressed", String(pressed));
    button.title = model.get("tooltip") || "";
  };
  const disable = () => {
    const off = model.get("disabled");
    const had = document.activeElement === button;
    button.disabled = off;
    if (off && had) {
      setTimeout(() => { lostTo = document.activeElement; }, 0);
      model.send({ event: "focus_lost" });
    } else if (!off && lostTo !== null) {
      if (document.activeElement === lostTo || document.activeElement === document.body) button.focus();
      lostTo = null;
    }
  };
  // the widget's own classes (rnnlab-train...) on the <button> too, so `button.rnnlab-train`
  // finds it as it found a core ipywidgets button
  const classes = () => {
    for (const c of model.get("_dom_classes") || []) if (!c.startsWith("rnnlab-ctl")) button.classList.add(c);
  };
  model.on("change:_dom_classes", classes);
  classes();
  button.addEventListener("click", () => { if (!button.disabled) model.send({ event: "click" }); });
  for (const name of ["description", "icon", "button_style", "pressed", "tooltip"]) model.on(`change:${name}`, sync);
  model.on("change:disabled", disable);
  sync();
  button.disabled = model.get("disabled");
  el.append(button);
  return onFocusRequest(model, () => button);
}

const RENDERERS = {
  slider: renderSlider, number: renderNumber, dropdown: renderDropdown, toggles: renderToggles,
  checkbox: renderCheckbox, textarea: renderTextarea, disclosure: renderDisclosure, status: renderStatus,
  text: renderText, button: renderButton,
};

function render({ model, el }) {
  const renderer = RENDERERS[model.get("_kind")];
  if (!renderer) {
    el.textContent = `rnnlab: unknown control kind ${model.get("_kind")}`;
    return undefined;
  }
  return renderer(model, el);
}

export default { render };
