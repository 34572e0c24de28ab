"""Schedules: the monthly build, a safety net behind the new-extract sensor.

Councils send month-end extracts in the first days of the next month; the sensor
(pipelines/sensors.py) builds as soon as one lands. This schedule rebuilds everything on the 5th
of each month at 06:00 UK time anyway, so the board report exists even if no extract arrived or the
sensor was off.
"""

import dagster as dg

from assets.keys import BUILD_JOB

monthly_build_schedule = dg.ScheduleDefinition(
    name="monthly_build",
    job_name=BUILD_JOB,
    cron_schedule="0 6 5 * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rebuild the warehouse, exports and board report on the 5th of each month.",
    tags={"csc/trigger": "monthly_schedule"},
)

schedules = [monthly_build_schedule]
