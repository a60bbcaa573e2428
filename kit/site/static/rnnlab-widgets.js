// The widget manager (embed-amd.js) defines several AMD modules (@jupyter-widgets/base,
// .../controls, .../html-manager/dist/...) and finds its own files, such as its icon fonts,
// next to the name require.js gives each module. Map those names to the copy in _static,
// beside this file, so the fonts come from this site and not from a folder under each page.
(function () {
  var widgets = document.currentScript.src.replace(/[^/]*$/, "") + "html-manager";
  require.config({paths: {"@jupyter-widgets": widgets, "@jupyter-widgets/html-manager/dist": widgets}});
})();
