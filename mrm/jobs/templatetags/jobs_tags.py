from django import template

from ..next_steps import next_step

register = template.Library()


@register.simple_tag
def job_next_step(job):
    """`{% job_next_step job as step %}`: the finished job's next step for this kind (or None)."""
    return next_step(job)
