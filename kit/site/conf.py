"""Sphinx configuration of the lesson site. Built by kit/site/build.py (``python3 dev.py site``),
which lays the sources out in build/site/src as they are in the repository and passes
the folders below in environment variables."""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import links  # noqa: E402  (kit/links.py: every URL from [project.urls])

project = "rnnlab"
author = "the rnnlab authors"
copyright = "the rnnlab authors"
html_title = "rnnlab: learn RNNs by taking them apart"
root_doc = "index"

extensions = ["myst_nb", "rnnlab_site"]
exclude_patterns = ["**.ipynb_checkpoints", "jupyter_execute"]
# a heading that skips a level (H1 then H3) is common in notebooks and harms nothing but the
# table of contents; broken links and failed cells still fail the build
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
templates_path = []

# -- notebooks: executed once, then cached by content (jupyter-cache) --------------
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("RNNLAB_SITE_CACHE", str(HERE / ".jupyter_cache"))
nb_execution_timeout = 300
nb_execution_raise_on_error = True  # a lesson whose assert fails must not be published
nb_execution_show_tb = True
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
myst_heading_anchors = 3

# -- browser code served from the site itself, never from another host ------------
# build.py copies it from the npm packages in kit/site/package.json into ASSETS.
html_static_path = [os.environ.get("RNNLAB_SITE_ASSETS", str(HERE / "_assets")), str(HERE / "static")]
html_css_files = ["rnnlab-site.css"]
mathjax_path = "mathjax/tex-chtml.js"
# MathJax 4 fetches its font files at view time; [mathjax] is the folder tex-chtml.js came
# from, so the fonts are found next to it whatever the page's depth or the site's address.
mathjax4_config = {"loader": {"paths": {"fonts": "[mathjax]/fonts"}}}
nb_ipywidgets_js = {
    "require.min.js": {},
    "rnnlab-widgets.js": {},
    # html-manager bundles the core widgets; an unknown widget module would be fetched
    # from this base, which is kept on the site's own host.
    "html-manager/embed-amd.js": {"data-jupyter-widgets-cdn": "_static/no-cdn/"},
}

# -- theme ----------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": links.repository_url(),
    "use_repository_button": True,
    "use_download_button": False,   # rnnlab_site puts "download the notebook" on every lesson
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
