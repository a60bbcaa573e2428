"""The GitHub Pages workflow publishes what `python3 dev.py site` builds.

GitHub is out of reach from the machines that test rnnlab, so the workflow
cannot run here; these checks keep it from drifting away from the build script
(a renamed output folder, another build command, a Python the kit refuses)."""
import importlib.util
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
spec = importlib.util.spec_from_file_location("rnnlab_site_build", REPO / "kit" / "site" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def _runs_and_paths():
    text = WORKFLOW.read_text(encoding="utf-8")
    runs = re.findall(r"^\s*run:\s*(.+)$", text, flags=re.M)
    paths = re.findall(r"^\s*path:\s*(.+)$", text, flags=re.M)
    return text, runs, paths


def test_the_workflow_builds_with_the_readme_command_and_uploads_its_output():
    text, runs, paths = _runs_and_paths()
    assert runs == ["python3 dev.py site"], runs
    assert paths == [build.HTML.relative_to(REPO).as_posix()], (paths, build.HTML)
    upload, deploy = text.index("actions/upload-pages-artifact"), text.index("actions/deploy-pages")
    assert upload < deploy, "the site must be uploaded before it is deployed"


def test_the_workflow_python_is_one_rnnlab_supports():
    text, _, _ = _runs_and_paths()
    version = re.search(r'python-version:\s*"(\d+)\.(\d+)"', text)
    assert version, "the workflow must pin a Python version"
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    lowest = re.search(r'requires-python\s*=\s*">=(\d+)\.(\d+)"', pyproject)
    assert tuple(map(int, version.groups())) >= tuple(map(int, lowest.groups()))


def test_the_readme_names_the_workflow():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ".github/workflows/pages.yml" in readme
