#!/usr/bin/python3
"""Screenshot a preview page with WebKitGTK 4.1, the engine of the app's window (fonts, line breaking and
CSS as the desk sees them), instead of Chromium.

    Xvfb :77 -screen 0 1600x900x24 -nolisten tcp &
    DISPLAY=:77 /usr/bin/python3 tests/ui-preview/shot-webkit.py URL OUT.png [WIDTH HEIGHT [JS]]

JS, if given, runs 1.5 s after the page loaded and the picture is taken 0.5 s later (e.g. to fill a field).
Debian packages: python3-gi, gir1.2-webkit2-4.1, python3-gi-cairo (Debian's /usr/bin/python3, not a pyenv one).
"""
import sys

import gi

gi.require_version('Gtk', '3.0')
gi.require_version('WebKit2', '4.1')
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

url, out = sys.argv[1], sys.argv[2]
width, height = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (1600, 900)
script = sys.argv[5] if len(sys.argv) > 5 else None

window = Gtk.OffscreenWindow()
# An ephemeral context: no disk cache, so an edited CSS file is always read again.
view = WebKit2.WebView.new_with_context(WebKit2.WebContext.new_ephemeral())
view.set_size_request(width, height)
window.add(view)
window.show_all()


def snap():
    def done(v, result):
        v.get_snapshot_finish(result).write_to_png(out)
        Gtk.main_quit()

    view.get_snapshot(WebKit2.SnapshotRegion.VISIBLE, WebKit2.SnapshotOptions.NONE, None, done)
    return False


def run_script():
    view.evaluate_javascript(script, -1, None, None, None, None, None)
    GLib.timeout_add(500, snap)
    return False


def loaded(_view, event):
    if event == WebKit2.LoadEvent.FINISHED:
        GLib.timeout_add(1500, run_script if script else snap)


view.connect('load-changed', loaded)
view.load_uri(url)
GLib.timeout_add(20000, lambda: Gtk.main_quit() or False)
Gtk.main()
