"""Remove an account's authenticator (lost phone); re-enrolment then needs a new enrolment code."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backoffice import enrolment


class Command(BaseCommand):
    help = (
        "Reset the TOTP second factor of a back-office account. It enrols again at the next login "
        "with a new enrolment code (--issue-code prints one now)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--issue-code", action="store_true", help="Also issue and print a new enrolment code."
        )

    def handle(self, *args, username: str, issue_code: bool = False, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(f"No account named {username!r}.") from exc
        deleted = enrolment.reset(user)
        self.stdout.write(
            f"Removed {deleted} authenticator(s) of {username}; unused enrolment codes revoked."
        )
        if issue_code:
            code, record = enrolment.issue(user)
            self.stdout.write(
                f"Enrolment code for {username}: {code} (valid until {timezone.localtime(record.expires_at):%Y-%m-%d %H:%M %Z}, once)."
            )
        else:
            self.stdout.write(f"Re-enrolment needs a new code: manage.py issue_2fa_enrolment {username}")
