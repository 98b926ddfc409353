"""Create front-desk staff accounts: python -m webservice.accounts create USERNAME --name "Full Name" [--role clinician]

The password is read from the terminal (or DESK_NEW_PASSWORD for scripts) and stored hashed (scrypt).
"""

import argparse
import getpass
import os
import sys

from pump_assistant.config import load_settings
from pump_assistant.storage.database import open_database
from pump_assistant.storage.staff import ROLES, AccountError, StaffDirectory
from pump_assistant.vocabulary import Role


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--name", default="", help="name shown to patients and in the audit log")
    create.add_argument(
        "--role",
        choices=ROLES,
        default=Role.FRONT_DESK.value,
        help="front_desk (default) works the queue; clinician may also approve draft answers",
    )
    args = parser.parse_args(argv)
    password = os.environ.get("DESK_NEW_PASSWORD") or getpass.getpass("Password: ")
    directory = StaffDirectory(open_database(load_settings().database_url, migrate=True))
    try:
        directory.create_account(args.username, args.name or args.username, password, role=args.role)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created {args.username} ({args.role})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
