"""What planning tells the apps above it, without importing them."""

from django.dispatch import Signal

# sent with ``comment`` when an officer answers a comment that has no author: a member of
# the public's response, whom the public app emails (decision 0020)
public_comment_answered = Signal()
