"""--db URLs: a PostgreSQL server that cannot be reached stops start-up with the reason, and
the password of the URL is never echoed."""
import subprocess

from vpnd_api import server_env


def test_unreachable_postgres_stops_start_up_without_echoing_the_password(vpnd_bin):
    url = "postgresql://vpnd:hunter2@/vpnd?host=/nonexistent-vpnd-socket-dir"
    p = subprocess.run([vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--db", url],
                       capture_output=True, timeout=30, env=server_env())
    assert p.returncode == 3, p.stderr  # vpnd(8) EXIT STATUS: the store cannot be used
    assert b"vpnd: cannot open store postgresql://vpnd:***@/vpnd?host=" in p.stderr, p.stderr
    assert b"cannot connect to PostgreSQL: " in p.stderr, p.stderr
    assert b"hunter2" not in p.stderr, p.stderr


def test_unknown_store_scheme_stops_start_up_naming_the_supported_ones(vpnd_bin):
    p = subprocess.run([vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--db", "mysql://x/y"],
                       capture_output=True, timeout=30, env=server_env())
    assert p.returncode == 2, p.stderr  # vpnd(8) EXIT STATUS: a bad setting
    assert b"(supported: sqlite, postgres, postgresql)" in p.stderr, p.stderr
