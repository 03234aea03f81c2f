"""Project configuration. Importing it (as Django does first, for ``config.settings``) also
imports ``defusedxml.ElementTree`` once, while the process still has one thread.

defusedxml (which openpyxl uses) builds its parser at its first import by swapping the
pure-Python ``xml.etree.ElementTree`` into ``sys.modules`` for a moment. Any module that
imports ElementTree in another thread during that moment gets the pure-Python classes
while the rest of the process has the C ones, and later fails with "insert() argument 2
must be xml.etree.ElementTree.Element, not Element": that is what broke every page with
Markdown in about one ``make run`` in twenty (runserver's reloader and its server thread
import the URL modules at the same time). Done here, the swap happens before any thread
exists and never again (decision 0007).
"""

import defusedxml.ElementTree  # noqa: F401  # imported for its one-time side effect, see above
