"""``python -m walkthrough.learner LESSON IMPL PATH SHOWN WORKDIR LIMIT``: the checking child.

:func:`walkthrough.learner.check_in_child` starts the child this way; it is not a command for
people (``walkthrough check`` is).
"""

import sys

from walkthrough.learner import _parse, child_main

child_main(_parse(sys.argv[1:]))
