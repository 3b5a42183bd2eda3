"""Background jobs: deferred in the transaction of their write; /readyz reports no worker."""

from __future__ import annotations

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from alerts.tasks import alerts_immediate


@pytest.mark.django_db
def test_a_job_is_deferred_in_the_transaction_of_its_write():
    def failing_write() -> None:
        with transaction.atomic():
            alerts_immediate.defer(timestamp=1)
            raise RuntimeError("the write fails")

    with pytest.raises(RuntimeError):
        failing_write()
    assert not ProcrastinateJob.objects.exists()
    with transaction.atomic():
        alerts_immediate.defer(timestamp=2)
    assert ProcrastinateJob.objects.get().task_name == "alerts.tasks.alerts_immediate"


@pytest.mark.django_db
def test_readyz_reports_a_waiting_job_and_no_worker_seen(client, settings):
    assert client.get("/readyz").status_code == 200
    alerts_immediate.defer(timestamp=1)
    settings.JOBS_MAX_WAIT = -1  # the job has waited too long already
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no job worker has been seen (never)" in response.json()["reasons"][0]
