"""Backup and restore in a process of its own, against the database in DATABASE_URL
(used by test_backup_cross to go SQLite → PostgreSQL → SQLite).

Usage: python backup_worker.py seed DEALS     — migrate, generate demo data, import a file
       python backup_worker.py backup FILE    — write a backup
       python backup_worker.py restore FILE   — migrate, then restore the backup
Each prints one JSON line: {"checksums": {table: [rows, sha256]}} (or {"error": message}).
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lejek.config.settings")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from lejek.core.errors import DomainError
    from lejek.dataio import backup, tables
    from lejek.dataio.tests import samples

    mode, argument = sys.argv[1], sys.argv[2]
    try:
        if mode == "seed":
            call_command("migrate", verbosity=0)
            samples.fill(deals=int(argument))
        elif mode == "backup":
            backup.backup(argument)
        else:
            call_command("migrate", verbosity=0)
            backup.restore(argument)
    except DomainError as exc:
        print(json.dumps({"error": exc.message}), flush=True)
        return
    print(json.dumps({"checksums": tables.checksums()}), flush=True)


if __name__ == "__main__":
    main()
