"""Every write in engagement, with its rules, one module a part: ``bids``, ``support``,
``meetings``, ``reminders``. Each service is keyword-only, atomic, locks what two people
could change at once and raises ``ValidationError`` naming the field it is about."""
