"""save_page's arguments, its limits and the page's embedded state (no browser needed)."""

from __future__ import annotations

import json
import re

import pytest

from stpwidget import Recording, Stimulus
from stpwidget.page import page_config, page_html, save_page
from stpwidget.page.page import MAX_BYTES
from stpwidget.state import ExplorerState


def config_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="stp-config">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_state_travels_in_api_units() -> None:
    state = ExplorerState.from_preset("facilitating", Stimulus(kind="poisson", rate=20.0, seed=4))
    config = config_of(page_html(state, ("U", "rate"), scale=1.5))
    values = config["state"]
    assert (values["tau_f"], values["tau_d"], values["U"]) == (0.75, 0.05, 0.15)
    assert (values["kind"], values["rate"], values["seed"], values["scale"]) == (
        "poisson",
        20.0,
        4,
        1.5,
    )
    assert config["controls"] == ["U", "rate"] and config["options"]["membrane"] is False


def test_a_label_cannot_close_the_script() -> None:
    label = "</script><script>alert(1)</script><!--"
    rec = Recording([0.1, 0.2], [1.0, 0.5], label=label)
    state = ExplorerState.from_preset("depressing").with_recordings([rec])
    html = page_html(state, panels=("state", "data"))
    # The JSON ends at its own </script> and reads back whole; no "<!--" can start a comment.
    assert config_of(html)["options"]["recordings"][0]["label"] == label
    assert "<!--" not in html.split('id="stp-config">')[1].split("</script>")[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"controls": ("U", "volume")}, ValueError, "controls must be distinct names"),
        ({"controls": ("U", "U")}, ValueError, "controls must be distinct names"),
        ({"controls": "U"}, TypeError, "controls must be a sequence of names"),
        ({"panels": ("frequency",)}, ValueError, "panels must include a time panel"),
        ({"panels": ("state", "data")}, ValueError, "the data panel needs recordings"),
        ({"controls": ("U", "tau_m")}, ValueError, "controls ['tau_m'] need the membrane panel"),
        ({"panels": ("state", "spectrum")}, ValueError, "panels must be distinct names"),
        ({"scale": 4.0}, ValueError, "scale must be a number in [0.5, 3]"),
    ],
)
def test_bad_arguments_write_nothing(tmp_path, kwargs, error, message) -> None:
    path = tmp_path / "page.html"
    with pytest.raises(error, match=re.escape(message)):
        save_page(ExplorerState.from_preset("depressing"), path, **kwargs)
    assert not path.exists()


def test_page_size_limit(tmp_path) -> None:
    times = [0.001 * (k + 1) for k in range(20_000)]
    many = [Recording(times, [0.123456789] * len(times), label=f"r{j}") for j in range(6)]
    state = ExplorerState.from_preset("depressing").with_recordings(many)
    assert len(json.dumps(page_config(state)["options"]["recordings"])) > MAX_BYTES
    with pytest.raises(ValueError, match="at most 3000000"):
        save_page(state, tmp_path / "big.html")
    assert not (tmp_path / "big.html").exists()
    small = save_page(ExplorerState.from_preset("depressing"), tmp_path / "small.html")
    assert small.stat().st_size < 200_000


def test_writing_a_page_imports_neither_matplotlib_nor_widgets(tmp_path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from stpwidget.__main__ import main; "
        f"assert main(['page', {str(tmp_path / 'p.html')!r}]) == 0; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
