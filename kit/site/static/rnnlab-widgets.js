// The widget manager (embed-amd.js) defines several AMD modules (@jupyter-widgets/base,
// .../controls, .../html-manager/dist/...) and finds its own files, such as its icon fonts,
// next to the name require.js gives each module. Map those names to the copy in _static,
// beside this file, so the fonts come from this site and not from a folder under each page.
// anywidget (rnnlab's accessible controls and canvas) is served from here too: without this
// mapping the manager would fetch it from a CDN.
(function () {
  var staticBase = document.currentScript.src.replace(/[^/]*$/, "");
  var widgets = staticBase + "html-manager";
  require.config({paths: {"@jupyter-widgets": widgets, "@jupyter-widgets/html-manager/dist": widgets,
                          "anywidget": staticBase + "anywidget"}});
})();

// ipywidgets' controls typeset a description with MathJax 2's MathJax.Hub.Queue whenever
// window.MathJax exists; MathJax 4 has no Hub. Give it one that asks MathJax 4 to typeset.
(function () {
  function hub() {
    var mathjax = window.MathJax;
    if (mathjax && !mathjax.Hub) {
      mathjax.Hub = {Queue: function (job) {
        var element = job && job[2];
        if (element && window.MathJax.typesetPromise) window.MathJax.typesetPromise([element]);
      }};
    }
  }
  hub();
  document.addEventListener("DOMContentLoaded", hub);
  window.addEventListener("load", hub);
})();
