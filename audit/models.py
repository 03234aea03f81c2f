"""What ``verify_history`` found at a check, so the next check can tell if rows it counted
then have gone since."""

from django.db import models


class HistoryCheckpoint(models.Model):
    """One history table as a check found it: the ids of its rows up to ``last_id``, in
    blocks of 1,000 ids (``[block number, [[first, last], ...]]``, runs of consecutive ids),
    sealed with the history key so it cannot be rewritten to agree with a table that lost rows. The application's
    database role may add checkpoints but not change or delete them (``grant_app_role``)."""

    table = models.CharField(max_length=200)
    last_id = models.BigIntegerField()
    rows = models.PositiveBigIntegerField()
    blocks = models.JSONField(default=list)
    checked_at = models.DateTimeField()
    seal = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["table", "-checked_at"], name="checkpoint_latest")]

    def __str__(self) -> str:
        return f"{self.table} up to {self.last_id} ({self.rows} rows) at {self.checked_at:%Y-%m-%d %H:%M}"
