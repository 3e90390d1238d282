from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from kraken import staff


class Command(BaseCommand):
    help = "Create a development staff user in one of the back office's groups if it does not exist (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--group", required=True, choices=[staff.OPS_AGENT, staff.OPS_LEAD, staff.ADMIN])

    def handle(self, *args, username, email, password, group, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(f"Staff user {username} already exists")
            return
        staff.ensure_staff_groups(group_model=Group, permission_model=Permission)
        user = user_model.objects.create_user(
            username=username, email=email, password=password, is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        self.stdout.write(f"Created {group} {username} / {password} (development only)")
