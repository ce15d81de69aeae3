"""Operations: the long-running form of periodic commands, and backups (database and media).

This app knows no domain: it runs other commands on a schedule and copies the database and the
media roots to and from an archive.
"""
