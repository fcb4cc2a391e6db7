"""Counts the /metrics page reads back (serving/metrics.py): kept in the database because
the process that counts (a task worker, maybe on another machine) is not the one that
answers the scrape."""

from django.db import models


class MetricCount(models.Model):
    """A monotonic count of one event (`name`, optionally per `label`: a task's path)."""

    name = models.CharField(max_length=100)
    label = models.CharField(max_length=200, blank=True, default="")
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "label"], name="serving_metric_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}{{{self.label}}} = {self.value}" if self.label else self.name
