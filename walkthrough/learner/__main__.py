"""``python -m walkthrough.learner LESSON IMPL PATH SHOWN WORKDIR LIMIT``: the checking child.

:func:`walkthrough.learner.supervise.check_in_child` starts the child this way; it is not a
command for people (``walkthrough check`` is). The work is :func:`.child.child_main`'s.
"""

import sys

from walkthrough.learner.child import _parse, child_main

child_main(_parse(sys.argv[1:]))
