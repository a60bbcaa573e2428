// rnnlab's figure view: shows the PNG the kernel drew, with a text alternative, and
// tells the kernel how wide it is shown and how many device pixels a CSS pixel has,
// so the next PNG is drawn for exactly those pixels (sharp at any width and zoom).

function render({ model, el }) {
  el.classList.add("rnnlab-figure");
  const img = document.createElement("img");
  img.decoding = "sync";
  el.append(img);
  let url = null;

  const show = () => {
    const data = model.get("value");
    if (!data || !data.byteLength) return;
    const next = URL.createObjectURL(new Blob([data], { type: "image/png" }));
    const old = url;
    url = next;
    img.src = next;
    if (old) setTimeout(() => URL.revokeObjectURL(old), 1000);
  };
  const describe = () => {
    // no alt at all until the panel says what the figure shows: an empty alt would
    // tell screen readers (and axe) that the plot is decoration
    const alt = model.get("alt");
    if (alt) img.alt = alt;
    else img.removeAttribute("alt");
    for (const c of model.get("_img_classes")) img.classList.add(c);
    const cssWidth = model.get("_css_width");
    // the image fills this element, whose width comes from the page (see Canvas), never
    // from the image: a figure drawn narrow would otherwise keep its container narrow
    img.style.width = "100%";
    // the smallest text of the figure in CSS pixels as shown (for tests and the curious)
    const shown = img.getBoundingClientRect().width || cssWidth;
    if (cssWidth && model.get("_min_text_pt")) {
      img.dataset.textPx = (model.get("_min_text_pt") * model.get("_px_per_pt") * shown / cssWidth).toFixed(1);
    }
  };

  // report the width this element gets and the device pixel ratio, after the layout settles
  let timer = null;
  const report = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const width = Math.round(el.getBoundingClientRect().width);
      const ratio = window.devicePixelRatio || 1;
      if (width > 0 && (width !== model.get("_client_width") || ratio !== model.get("_pixel_ratio"))) {
        model.set("_client_width", width);
        model.set("_pixel_ratio", ratio);
        model.save_changes();
      }
      describe();
    }, 120);
  };
  const observer = new ResizeObserver(report);
  observer.observe(el);
  // browser zoom changes the device pixel ratio: listen for the next change each time
  let media = null;
  const watchRatio = () => {
    media = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    media.addEventListener("change", onRatio, { once: true });
  };
  const onRatio = () => { report(); watchRatio(); };
  watchRatio();

  model.on("change:value", show);
  for (const name of ["alt", "_img_classes", "_css_width", "_min_text_pt", "_px_per_pt"]) model.on(`change:${name}`, describe);
  show();
  describe();
  report();
  return () => {
    observer.disconnect();
    if (media) media.removeEventListener("change", onRatio);
    if (url) URL.revokeObjectURL(url);
  };
}

export default { render };
