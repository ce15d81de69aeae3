"""Issue a one-time second-factor enrolment code for an account (the out-of-band step).

For the first superuser, who has nobody to issue one in the admin, and for operators who work
from the server's shell. The code is printed once; hand it over in person or by telephone.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backoffice import enrolment


class Command(BaseCommand):
    help = "Issue a one-time code with which a back-office account enrols its TOTP authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(f"No account named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"The account {username!r} is inactive.")
        code, record = enrolment.issue(user)
        self.stdout.write(
            f"Enrolment code for {username}: {code}\n"
            f"Valid until {timezone.localtime(record.expires_at):%Y-%m-%d %H:%M %Z}, once. Older unused codes are revoked."
        )
