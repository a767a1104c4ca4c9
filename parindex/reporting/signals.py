"""What reporting tells the apps built on it, so it need not know them.

`round_opened` is sent by `actions.open_round` inside its transaction, once the round's reports
exist (`reports`: the list just created), so a receiver can add its own lines to them (the
forecast's actions that close the gap add theirs) and is undone with the round if anything fails.
"""

from __future__ import annotations

from django.dispatch import Signal

round_opened = Signal()
