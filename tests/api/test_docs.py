"""The man pages: they render without warnings (mandoc -T lint, groff -ww) and document what the
binary has: every option of every command with its environment variable (vpnd(8)), every config
file key (vpnd.conf(5), and the packaged dist/vpnd.conf), every exit status of `vpnd --help`."""
import os
import re
import shutil
import subprocess

import pytest

from vpnd_api import server_env

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAGES = ["man/vpnd.8", "man/vpnd.conf.5"]


def page(name):
    with open(os.path.join(REPO, name)) as f:
        return f.read().replace("\\-", "-")


def help_of(vpnd_bin, command):
    p = subprocess.run([vpnd_bin, command, "--help"], capture_output=True, text=True,
                       env=server_env(), timeout=30)
    assert p.returncode == 0
    return p.stdout


def options(vpnd_bin, command):
    """{option name: environment variable or None} from `vpnd COMMAND --help`."""
    found = {}
    for m in re.finditer(r"^  --([a-z0-9-]+)(?: [A-Z:]+)?(?:  \((VPND_[A-Z0-9_]+))?",
                         help_of(vpnd_bin, command), re.M):
        found[m.group(1)] = m.group(2)
    return found


@pytest.mark.parametrize("name", PAGES)
def test_the_man_page_is_clean_under_mandoc_lint(name):
    if not shutil.which("mandoc"):
        pytest.fail("mandoc is required (scripts/setup.sh --test installs it)")
    p = subprocess.run(["mandoc", "-T", "lint", "-W", "all", os.path.join(REPO, name)],
                       capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout + p.stderr == "", p.stdout + p.stderr


@pytest.mark.parametrize("name", PAGES)
def test_the_man_page_renders_without_groff_warnings(name):
    p = subprocess.run(["groff", "-ww", "-z", "-man", os.path.join(REPO, name)],
                       capture_output=True, text=True)
    assert p.returncode == 0 and p.stderr == "", p.stderr


@pytest.mark.parametrize("command", ["serve", "import", "export", "check-config", "compact"])
def test_vpnd_8_documents_every_option_and_its_variable(vpnd_bin, command):
    text = page("man/vpnd.8")
    for name, env in options(vpnd_bin, command).items():
        assert "--" + name in text, "--%s is not in vpnd(8)" % name
        if env:
            assert ".BR %s ." % env in text or ".B %s\n" % env in text, \
                "%s is not in vpnd(8)" % env


def test_every_config_key_is_in_vpnd_conf_5_and_the_packaged_config(vpnd_bin):
    conf5 = page("man/vpnd.conf.5")
    with open(os.path.join(REPO, "dist", "vpnd.conf")) as f:
        packaged = f.read()
    keys = set(options(vpnd_bin, "serve")) - {"config", "help"}
    for key in keys:
        assert re.search(r"^\.BI %s " % re.escape(key), conf5, re.M), "%s not in vpnd.conf(5)" % key
        assert re.search(r"^#?%s = " % re.escape(key), packaged, re.M), "%s not in dist/vpnd.conf" % key


def test_vpnd_8_lists_the_exit_statuses_of_vpnd_help(vpnd_bin):
    p = subprocess.run([vpnd_bin, "--help"], capture_output=True, text=True, env=server_env())
    codes = re.findall(r"^  ([0-9])  ", p.stdout, re.M)
    section = page("man/vpnd.8").split(".SH EXIT STATUS")[1].split(".SH ")[0]
    assert re.findall(r"^\.B ([0-9])$", section, re.M) == codes
