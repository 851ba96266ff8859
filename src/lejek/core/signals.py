"""Signals other apps listen to without the writing app knowing them.

`record_changed` is sent inside the writing transaction after a record's own fields or its
tags changed (sender: the model class; `ids`: the primary keys). A receiver that fails
rolls the change back with it, so what it derives never disagrees with the record.
"""

from django.dispatch import Signal

record_changed = Signal()

# Sent inside the merging transaction after every row pointing at `other` points at `keep`
# (sender: the model class). Receivers bring what they derive up to date.
records_merged = Signal()
