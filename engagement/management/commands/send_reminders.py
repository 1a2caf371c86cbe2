import datetime

from django.core.management.base import BaseCommand, CommandError

from engagement.services.reminders import send_all


class Command(BaseCommand):
    help = (
        "Send every reminder e-mail due today (or on --today): late returns, RAID items, "
        "milestones and actions past their date, last week's missing time and the weekly "
        "digest. Each is sent once per occasion, so running it again sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError("--today must be a date as YYYY-MM-DD") from error
        for name, outcome in send_all(today=day).items():
            self.stdout.write(
                f"{name}: {outcome['sent']} sent, {outcome['already_sent']} already sent, "
                f"{outcome['failed']} failed"
            )
