"""Every read a page, a panel or a reminder needs, scoped to the user who asks: ``bids``,
``support``, ``meetings``, ``reminders``, ``home``. A forbidden object is simply not in the
user's queryset (a 404)."""
